package dev.warmbox.devenv.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The commit a ref of a repository on this machine points at, read from the repository's files (loose
 * refs, packed-refs, a symbolic HEAD), so the reconciler can tell whether a project's source moved
 * without running git or cloning. Projects' repositories are local by rule (see {@code Catalog}).
 */
public final class GitRefs {
    private static final String SHA = "[0-9a-f]{40}";

    private GitRefs() {}

    /** The commit of {@code ref} (a branch, tag or commit; null: HEAD), or empty when it cannot be resolved. */
    public static Optional<String> commit(Path repository, String ref) {
        Path git = Files.isDirectory(repository.resolve(".git")) ? repository.resolve(".git") : repository;
        if (ref != null && ref.matches(SHA)) return Optional.of(ref);
        List<String> names = ref == null ? List.of("HEAD") : List.of("refs/heads/" + ref, "refs/tags/" + ref, ref);
        try {
            for (String name : names) {
                Optional<String> found = resolve(git.normalize(), name, 0);
                if (found.isPresent()) return found;
            }
            return Optional.empty();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> resolve(Path git, String name, int depth) throws IOException {
        if (depth > 5) return Optional.empty();
        Path loose = git.resolve(name).normalize();
        if (loose.startsWith(git) && Files.isRegularFile(loose)) {
            String content = Files.readString(loose).strip();
            if (content.startsWith("ref: ")) return resolve(git, content.substring(5).strip(), depth + 1);
            if (content.matches(SHA)) return Optional.of(content);
        }
        Path packed = git.resolve("packed-refs");
        if (!Files.isRegularFile(packed)) return Optional.empty();
        try (var lines = Files.lines(packed)) {
            return lines.filter(l -> !l.startsWith("#") && !l.startsWith("^")).map(l -> l.split(" ", 2))
                    .filter(p -> p.length == 2 && p[1].strip().equals(name) && p[0].matches(SHA)).map(p -> p[0]).findFirst();
        }
    }
}
