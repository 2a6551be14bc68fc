package dev.warmbox.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The language of a program file, from its extension, as the server names it. */
final class Languages {
    private static final Map<String, String> BY_EXTENSION = Map.of(
            "py", "python",
            "js", "javascript", "mjs", "javascript", "cjs", "javascript",
            "go", "go",
            "java", "java");

    private Languages() {}

    static Optional<String> ofFile(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot < 0) return Optional.empty();
        return Optional.ofNullable(BY_EXTENSION.get(name.substring(dot + 1).toLowerCase(Locale.ROOT)));
    }

    static String known() {
        return ".py, .js (.mjs, .cjs), .go, .java";
    }
}
