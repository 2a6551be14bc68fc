package dev.warmbox.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostCpuTest {
    @TempDir
    Path dir;

    @Test
    void readsTheBusyFractionBetweenTwoReadingsOfProcStat() throws Exception {
        Path stat = dir.resolve("stat");
        Files.writeString(stat, "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3\n");
        HostCpu cpu = new HostCpu(stat);
        assertThat(cpu.getAsDouble()).as("nothing to compare with yet").isZero();
        // +300 busy (user, system, irq), +100 idle, +0 iowait: 75% busy
        Files.writeString(stat, "cpu  300 0 150 800 100 50 0 0 0 0\n");
        assertThat(cpu.getAsDouble()).isEqualTo(0.75);
    }

    @Test
    void anUnreadableFileIsNotBusy() {
        assertThat(new HostCpu(dir.resolve("missing")).getAsDouble()).isZero();
    }

    @Test
    void theRealProcStatGivesAFraction() {
        HostCpu cpu = new HostCpu();
        cpu.getAsDouble();
        long until = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < until) Thread.onSpinWait(); // this thread keeps a CPU busy, so the reading cannot be 0
        assertThat(cpu.getAsDouble()).as("the busy fraction the real /proc/stat shows").isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
    }
}
