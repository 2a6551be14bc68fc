package dev.warmbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Sandboxes} must do; each implementation subclasses this in a few lines. The jobs are
 * Python a line at a time, so a fake can run them ({@link FakePython}). Whatever a test launched is removed
 * afterwards by {@link Sandboxes#removeLeftovers()}, so a failing test leaks nothing.
 */
abstract class SandboxesContract {
    private static final Language PYTHON = Language.PYTHON;

    protected abstract Sandboxes sandboxes();

    /** Stops the sandbox's container from outside the server, as an operator or the OOM killer would. */
    protected abstract void stopFromOutside(Sandbox sandbox);

    /** Leaves a container of this server that no live sandbox is (a removal that failed); returns its name. */
    protected abstract String leaveStray();

    @AfterEach
    void removeWhatTheTestLaunched() {
        sandboxes().removeLeftovers();
    }

    @Test
    void aLaunchedSandboxIsOfItsLanguageAndHealthy() {
        Instant before = Instant.now();
        Sandbox sandbox = sandboxes().launch(PYTHON, false);

        assertThat(sandbox.language()).isEqualTo(PYTHON);
        assertThat(sandbox.containerId()).as("the engine's id, for inspecting and removing it").isNotBlank();
        assertThat(sandbox.name()).isNotBlank();
        assertThat(sandbox.createdAt()).as("its TTL counts from its launch").isBetween(before.minusSeconds(1), Instant.now());
        assertThat(sandboxes().check(sandbox)).as("a fresh sandbox passes its health check").isEqualTo(Health.OK);
    }

    @Test
    void aSandboxLaunchedWithItsProbeIsHealthyAndRunsAJob() {
        Sandbox sandbox = sandboxes().launch(PYTHON, true);

        assertThat(sandboxes().check(sandbox)).as("the probe left it healthy").isEqualTo(Health.OK);
        assertThat(run(sandbox, "print('after the probe')").stdout()).isEqualTo("after the probe\n");
    }

    @Test
    void aJobsStdoutStderrAndExitCodeComeBackApart() {
        Sandbox sandbox = sandboxes().launch(PYTHON, false);

        Outcome outcome = sandboxes().execute(sandbox, job("""
                import sys
                print('to stdout')
                print('to stderr', file=sys.stderr)
                sys.exit(3)
                print('never')
                """));

        assertThat(outcome.compile()).as("python is not compiled").isNull();
        assertThat(outcome.run().stdout()).isEqualTo("to stdout\n");
        assertThat(outcome.run().stderr()).isEqualTo("to stderr\n");
        assertThat(outcome.run().exitCode()).as("the program's own exit code").isEqualTo(3);
        assertThat(outcome.run().timedOut()).isFalse();
        assertThat(outcome.version()).as("the runtime's version line").isNotBlank();
    }

    @Test
    void aJobGetsItsStdinArgumentsAndFiles() {
        Sandbox sandbox = sandboxes().launch(PYTHON, false);
        Job job = new Job(PYTHON, """
                import sys
                print(sys.stdin.read())
                print(sys.argv[1])
                print(open('data.txt').read())
                """, "from stdin", List.of("first-arg"), List.of(new Job.SourceFile("data.txt", "from a file")),
                Duration.ofSeconds(10), Duration.ofSeconds(30), 64 * 1024);

        assertThat(sandboxes().execute(sandbox, job).run().stdout()).isEqualTo("from stdin\nfirst-arg\nfrom a file\n");
    }

    @Test
    void aJobPastItsTimeoutIsStoppedAndTheSandboxServesTheNextOneAfterItsReset() {
        Sandbox sandbox = sandboxes().launch(PYTHON, false);
        Job endless = new Job(PYTHON, "while True: pass\n", "", List.of(), List.of(), Duration.ofSeconds(1), Duration.ofSeconds(30), 64 * 1024);

        StepResult run = sandboxes().execute(sandbox, endless).run();

        assertThat(run.timedOut()).as("stopped at its 1 s timeout").isTrue();
        assertThat(run.exitCode()).as("killed, not exited").isNotZero();
        assertThat(sandboxes().reset(sandbox)).isTrue();
        assertThat(run(sandbox, "print('next')").stdout()).isEqualTo("next\n");
    }

    @Test
    void aResetRemovesWhatThePreviousJobLeftBehind() {
        Sandbox sandbox = sandboxes().launch(PYTHON, false);
        Job writes = new Job(PYTHON, """
                import os
                open('/tmp/left-behind', 'w').write('secret')
                print(os.path.exists('/tmp/left-behind'))
                """, "", List.of(), List.of(new Job.SourceFile("data.txt", "x")), Duration.ofSeconds(10), Duration.ofSeconds(30), 64 * 1024);
        assertThat(sandboxes().execute(sandbox, writes).run().stdout()).as("the file exists before the reset").isEqualTo("True\n");

        assertThat(sandboxes().reset(sandbox)).as("the scrub succeeded").isTrue();

        assertThat(run(sandbox, """
                import os
                print(os.path.exists('/tmp/left-behind'))
                print(os.path.exists('data.txt'))
                """).stdout()).as("neither the program's file nor the job's is left for the next user").isEqualTo("False\nFalse\n");
    }

    @Test
    void sandboxesDoNotSeeEachOthersFiles() {
        Sandbox one = sandboxes().launch(PYTHON, false);
        Sandbox other = sandboxes().launch(PYTHON, false);

        run(one, "open('/tmp/mine', 'w').write('x')");

        assertThat(run(other, "import os\nprint(os.path.exists('/tmp/mine'))").stdout()).isEqualTo("False\n");
    }

    @Test
    void aSandboxStoppedFromOutsideFailsItsCheckItsJobsAndItsReset() {
        Sandbox sandbox = sandboxes().launch(PYTHON, false);

        stopFromOutside(sandbox);

        Health health = sandboxes().check(sandbox);
        assertThat(health.healthy()).isFalse();
        assertThat(health.reason()).as("the reason names the container's state").contains("exited");
        assertThatThrownBy(() -> run(sandbox, "print('x')")).isInstanceOfSatisfying(SandboxException.class,
                e -> assertThat(e.unreachable()).as("the job never started: safe to run elsewhere").isTrue());
        assertThat(sandboxes().reset(sandbox)).as("a scrub cannot be guaranteed").isFalse();
    }

    @Test
    void aDestroyedSandboxIsGoneAndDestroyingItAgainIsFine() {
        Sandbox sandbox = sandboxes().launch(PYTHON, false);

        sandboxes().destroy(sandbox);

        assertThat(sandboxes().check(sandbox).reason()).as("its check says it is gone").contains("gone");
        assertThatThrownBy(() -> run(sandbox, "print('x')")).isInstanceOfSatisfying(SandboxException.class,
                e -> assertThat(e.unreachable()).isTrue());
        assertThat(sandboxes().reset(sandbox)).isFalse();
        assertThatCode(() -> sandboxes().destroy(sandbox)).as("destroy never throws").doesNotThrowAnyException();
    }

    @Test
    void aSweepRemovesStraysAndLeavesLiveSandboxesAlone() {
        Sandbox live = sandboxes().launch(PYTHON, false);
        String stray = leaveStray();

        assertThat(sandboxes().sweepStrays()).as("only the container no live sandbox is").containsExactly(stray);
        assertThat(sandboxes().sweepStrays()).as("it is gone: the next sweep finds nothing").isEmpty();
        assertThat(sandboxes().check(live)).as("the live sandbox is untouched").isEqualTo(Health.OK);
    }

    @Test
    void removingLeftoversRemovesEveryContainerOfThisServer() {
        Sandbox first = sandboxes().launch(PYTHON, false);
        Sandbox second = sandboxes().launch(PYTHON, false);
        String stray = leaveStray();

        assertThat(sandboxes().removeLeftovers()).containsExactlyInAnyOrder(first.name(), second.name(), stray);
        assertThat(sandboxes().check(first).reason()).contains("gone");
        assertThat(sandboxes().check(second).reason()).contains("gone");
    }

    @Test
    void theEngineAnswers() {
        assertThat(sandboxes().engineAvailable()).isTrue();
    }

    private StepResult run(Sandbox sandbox, String code) {
        return sandboxes().execute(sandbox, job(code)).run();
    }

    private static Job job(String code) {
        return new Job(PYTHON, code, "", List.of(), List.of(), Duration.ofSeconds(10), Duration.ofSeconds(30), 64 * 1024);
    }
}
