package dev.warmbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code /api/v1/environment-classes}: what environments run on. */
@Command(name = "classes", description = "Environment classes (list by default).", subcommands = ClassesCommand.Get.class)
final class ClassesCommand implements Callable<Integer> {
    static final List<Column> COLUMNS = List.of(
            Column.of("ID", "/id"), Column.of("NAME", "/name"), Column.of("CPU", "/cpu"),
            new Column("MEMORY", c -> bytes(c.path("memoryBytes"))), new Column("DISK", c -> bytes(c.path("diskBytes"))),
            Column.of("RUNTIME", "/ociRuntime"), Column.of("CREATED", "/createdAt"));

    private final Session session;

    ClassesCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        session.output().list(session.api().get("/api/v1/environment-classes"), "environmentClasses", "environment classes", COLUMNS);
        return ExitCodes.OK;
    }

    /** Bytes in binary units, e.g. 1 GiB, 512 MiB; as given when they are not a whole number of one. */
    static String bytes(JsonNode value) {
        if (!value.canConvertToLong() || value.asLong() <= 0) return Column.text(value);
        long n = value.asLong();
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        while (unit < units.length - 1 && n % 1024 == 0) {
            n /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%d %s", n, units[unit]);
    }

    @Command(name = "get", description = "One environment class.")
    static final class Get implements Callable<Integer> {
        private final Session session;

        @Parameters(paramLabel = "ID")
        String id;

        Get(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            JsonNode answer = session.api().get("/api/v1/environment-classes/" + Paths.segment(id));
            session.output().item(answer, answer, COLUMNS);
            return ExitCodes.OK;
        }
    }
}
