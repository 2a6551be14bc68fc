package dev.warmbox.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Ids from the command line put into a URL path as one segment, whatever they contain. */
final class Paths {
    private Paths() {}

    static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
