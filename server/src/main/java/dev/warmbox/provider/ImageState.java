package dev.warmbox.provider;

import java.util.List;
import java.util.Map;

/**
 * A local image as the engine lists it.
 *
 * @param references its repository:tag names (empty for an untagged image)
 * @param labels     the labels it was committed or built with
 */
public record ImageState(String id, List<String> references, Map<String, String> labels) {
    public ImageState {
        references = List.copyOf(references);
        labels = Map.copyOf(labels);
    }
}
