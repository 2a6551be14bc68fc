package dev.warmbox.devenv.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading where a ref points from a real repository's files, as git itself leaves them (loose and packed). */
class GitRefsTest {
    @TempDir
    Path repo;

    private String git(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor(1, TimeUnit.MINUTES) && p.exitValue() == 0).as("git %s: %s", List.of(args), out).isTrue();
        return out;
    }

    @Test
    void resolvesBranchesTagsAndHeadLooseAndPackedAndFollowsARefThatMoves() throws Exception {
        git("init", "-q", "-b", "main");
        Files.writeString(repo.resolve("a"), "1");
        git("add", "a");
        git("commit", "-q", "-m", "one");
        String first = git("rev-parse", "HEAD");
        git("tag", "v1");
        assertThat(GitRefs.commit(repo, "main")).hasValue(first);
        assertThat(GitRefs.commit(repo, null)).as("HEAD, symbolic").hasValue(first);
        assertThat(GitRefs.commit(repo, "v1")).hasValue(first);

        git("pack-refs", "--all");
        assertThat(GitRefs.commit(repo, "main")).as("packed").hasValue(first);
        Files.writeString(repo.resolve("a"), "2");
        git("commit", "-q", "-am", "two");
        String second = git("rev-parse", "HEAD");
        assertThat(GitRefs.commit(repo, "main")).as("the branch moved on").hasValue(second).isNotEqualTo(java.util.Optional.of(first));
        assertThat(GitRefs.commit(repo, "v1")).hasValue(first);
        assertThat(GitRefs.commit(repo, "nope")).isEmpty();
        assertThat(GitRefs.commit(repo, "../../etc/passwd")).as("never outside the repository").isEmpty();
    }
}
