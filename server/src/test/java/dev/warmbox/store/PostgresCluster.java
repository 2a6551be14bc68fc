package dev.warmbox.store;

import dev.warmbox.config.DatabaseSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A private PostgreSQL server for the tests: Debian's binaries ({@code apt-get install postgresql},
 * which scripts/test.sh runs through {@code ensure_postgresql}), {@code initdb} in a temporary directory
 * and {@code pg_ctl} on a free loopback port, never the system's cluster. Started once per test JVM,
 * stopped and deleted when it exits; a cluster whose JVM died without that is stopped and deleted by the
 * next start. initdb refuses root, so as root the server runs as the {@code postgres} user. Missing
 * binaries fail the test: nothing here skips.
 */
public final class PostgresCluster {
    static final String USER = "warmbox";
    private static final String PASSWORD = "warmbox-test-password";
    private static final String DIR_PREFIX = "warmbox-pg-";
    private static PostgresCluster shared;

    private final Path root;
    private final Path data;
    private final Path bin;
    private final boolean asPostgresUser;
    private final int port;
    private final AtomicInteger databases = new AtomicInteger();

    /** The JVM's cluster, started at the first call. */
    public static synchronized PostgresCluster shared() {
        if (shared == null) {
            reapLeftovers();
            shared = new PostgresCluster();
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("warmbox-test-postgres-stop").unstarted(shared::stop));
        }
        return shared;
    }

    private PostgresCluster() {
        bin = binaries();
        asPostgresUser = runningAsRoot();
        try {
            root = Files.createTempDirectory(DIR_PREFIX);
            Files.writeString(root.resolve("owner.pid"), String.valueOf(ProcessHandle.current().pid()));
            Files.writeString(root.resolve("pwfile"), PASSWORD + "\n");
            if (asPostgresUser) {
                UserPrincipal postgres = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
                Files.setOwner(root, postgres);
                Files.setOwner(root.resolve("pwfile"), postgres);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a directory for the test PostgreSQL server", e);
        }
        data = root.resolve("data");
        run(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--pwfile=" + root.resolve("pwfile"),
                "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync");
        port = start();
    }

    /** Chooses a free loopback port and starts there; a port taken in between is tried once more with another. */
    private int start() {
        for (int attempt = 1; ; attempt++) {
            int candidate = freePort();
            configure(candidate);
            try {
                run(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", root.resolve("server.log").toString(), "-w", "-t", "60", "start");
                return candidate;
            } catch (IllegalStateException e) {
                if (attempt == 3) throw e;
            }
        }
    }

    /** Loopback only, no Unix socket (nothing of the host's /run/postgresql is touched), durability traded for speed. */
    private void configure(int candidate) {
        try {
            Files.writeString(data.resolve("postgresql.auto.conf"), String.join("\n",
                    "listen_addresses = '127.0.0.1'", "port = " + candidate, "unix_socket_directories = ''",
                    "fsync = off", "synchronous_commit = off", "full_page_writes = off", "max_connections = 300", ""),
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.CREATE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new, empty database of its own. */
    public DatabaseSettings.Postgres newDatabase() {
        String name = "wb_" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
        admin("CREATE DATABASE " + name);
        return settings(name);
    }

    public DatabaseSettings.Postgres settings(String database) {
        return new DatabaseSettings.Postgres(jdbcUrl(database), "127.0.0.1:" + port + "/" + database, USER, Optional.of(PASSWORD));
    }

    /** What a server's WARMBOX_DATABASE_URL would be for this database. */
    public String url(String database) {
        return "postgresql://" + USER + ":" + PASSWORD + "@127.0.0.1:" + port + "/" + database;
    }

    /** Every connection to it ended, then the database removed. */
    public void drop(DatabaseSettings.Postgres database) {
        String name = database.address().substring(database.address().lastIndexOf('/') + 1);
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private void admin(String sql) {
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("the test PostgreSQL server refused: " + sql + ": " + e.getMessage(), e);
        }
    }

    private void stop() {
        try {
            run(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
        } finally {
            deleteRecursively(root);
        }
    }

    /** Clusters of test JVMs that are gone (killed before their shutdown hook): stopped and deleted. */
    private static void reapLeftovers() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, DIR_PREFIX + "*")) {
            for (Path dir : dirs) {
                Path owner = dir.resolve("owner.pid");
                if (!Files.exists(owner)) continue;
                long pid = Long.parseLong(Files.readString(owner).strip());
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
                Path pidFile = dir.resolve("data").resolve("postmaster.pid");
                if (Files.exists(pidFile)) {
                    long postmaster = Long.parseLong(Files.readAllLines(pidFile).getFirst().strip());
                    ProcessHandle.of(postmaster).ifPresent(p -> {
                        p.destroyForcibly();
                        p.onExit().orTimeout(10, TimeUnit.SECONDS).join();
                    });
                }
                deleteRecursively(dir);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("could not reap leftover test PostgreSQL clusters: " + e.getMessage());
        }
    }

    private void run(String... command) {
        List<String> line = new ArrayList<>();
        if (asPostgresUser) line.addAll(List.of("runuser", "-u", "postgres", "--"));
        line.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(line).directory(root.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            // Read before waiting: pg_ctl's children keep nothing of ours open (-l sends the server's output to its log).
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", line) + " did not finish within 120 s: " + output);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", line) + " exited with " + process.exitValue() + ": " + output + serverLog());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + line, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String serverLog() {
        try {
            Path log = root.resolve("server.log");
            return Files.exists(log) ? "\nserver log:\n" + Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Debian's /usr/lib/postgresql/<version>/bin, the newest; else initdb on the PATH. */
    private static Path binaries() {
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Optional<Path> newest = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                        .max(Comparator.comparing(b -> versionOf(b.getParent())));
                if (newest.isPresent()) return newest.get();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, "initdb")) && Files.isExecutable(Path.of(dir, "pg_ctl"))) return Path.of(dir);
        }
        throw new IllegalStateException("the PostgreSQL server is not installed (no initdb and pg_ctl in /usr/lib/postgresql/*/bin or on the PATH): "
                + "run ./scripts/test.sh, which installs it (ensure_postgresql), or apt-get install postgresql");
    }

    private static int versionOf(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> entries = Files.walk(dir)) {
            for (Path entry : entries.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(entry);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the test PostgreSQL directory " + dir, e);
        }
    }
}
