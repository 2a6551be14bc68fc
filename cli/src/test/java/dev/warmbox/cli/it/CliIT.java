package dev.warmbox.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.warmbox.it.RunningServer;
import dev.warmbox.provider.ContainerState;
import dev.warmbox.provider.DockerContainerProvider;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code warmbox} CLI's jar, run as a process, against a real server on the real engine: programs
 * run through it with their output and exit code, pools in each format, a development environment
 * claimed and opened, keys made and revoked, and the failures a user meets (a wrong key, no server).
 */
class CliIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RunningServer server;
    private static final List<String> prebuildIds = new ArrayList<>();

    @TempDir
    Path home;

    @BeforeAll
    static void startServer() throws Exception {
        server = new RunningServer(Map.of("DEVENV_RECONCILE_INTERVAL", "1", "DEVENV_LEAD_TIME", "1"));
        server.awaitReady(Duration.ofMinutes(3));
    }

    @AfterAll
    static void stopServer() {
        if (server == null) return;
        server.close();
        try (DockerContainerProvider engine = new DockerContainerProvider(System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock"))) {
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
                for (ContainerState c : engine.list(Map.of("warmbox.devenv", server.instanceId))) engine.remove(c.id());
                for (String id : prebuildIds) engine.removeImage("warmbox-devenv/" + server.instanceId.toLowerCase() + ":" + id);
            });
        }
    }

    private CliProcess.Result warmbox(String... args) {
        return warmboxWith(Map.of(), "", args);
    }

    private CliProcess.Result warmboxWith(Map<String, String> extraEnv, String stdin, String... args) {
        Map<String, String> env = new HashMap<>(Map.of("WARMBOX_URL", server.uri("").toString(), "WARMBOX_API_KEY", RunningServer.API_KEY));
        env.putAll(extraEnv);
        return new CliProcess(home).run(env, stdin, args);
    }

    @Test
    void executesAPythonFilePassingOnItsOutputStreamsAndExitCode() throws Exception {
        Path program = Files.writeString(home.resolve("fail.py"), """
                import sys
                print("to stdout", sys.argv[1:])
                print("to stderr", file=sys.stderr)
                sys.exit(3)
                """);
        CliProcess.Result run = warmbox("execute", program.toString(), "a", "--b");
        assertThat(run.code()).as("the program's exit code: %s", run).isEqualTo(3);
        assertThat(run.out()).isEqualTo("to stdout ['a', '--b']\n");
        assertThat(run.err()).isEqualTo("to stderr\n");
    }

    @Test
    void executesAProgramReadFromStdinWithTheInputGivenByFlag() {
        CliProcess.Result run = warmboxWith(Map.of(), "import sys\nprint(sys.stdin.read().upper())\nsys.exit(7)\n",
                "execute", "--language", "python", "--stdin", "hello");
        assertThat(run.code()).as("%s", run).isEqualTo(7);
        assertThat(run.out()).isEqualTo("HELLO\n");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void executesGoAndJavaFilesByTheirExtension() throws Exception {
        Path go = Files.writeString(home.resolve("main.go"), """
                package main

                import ("fmt"; "os")

                func main() { fmt.Println("go says", os.Args[1]); os.Exit(5) }
                """);
        CliProcess.Result goRun = warmbox("execute", go.toString(), "hi");
        assertThat(goRun.code()).as("%s", goRun).isEqualTo(5);
        assertThat(goRun.out()).isEqualTo("go says hi\n");

        Path java = Files.writeString(home.resolve("Hello.java"), """
                public class Hello {
                    public static void main(String[] args) throws Exception {
                        System.out.println("java read " + new String(System.in.readAllBytes()).strip());
                    }
                }
                """);
        Path input = Files.writeString(home.resolve("input.txt"), "from a file\n");
        CliProcess.Result javaRun = warmbox("execute", "--stdin-file", input.toString(), java.toString());
        assertThat(javaRun.code()).as("%s", javaRun).isZero();
        assertThat(javaRun.out()).isEqualTo("java read from a file\n");

        Path broken = Files.writeString(home.resolve("broken.go"), "package main\nfunc main() { undefinedThing() }\n");
        CliProcess.Result compileError = warmbox("execute", broken.toString());
        assertThat(compileError.code()).as("the compiler's exit code: %s", compileError).isNotZero();
        assertThat(compileError.err()).as("the compiler's message").contains("undefinedThing");
    }

    @Test
    void printsTheWholeAnswerOfAnExecutionAsJsonOrYamlAndStillExitsWithTheProgramsCode() throws Exception {
        Path program = Files.writeString(home.resolve("two.py"), "print(2)\nraise SystemExit(2)\n");
        CliProcess.Result json = warmbox("execute", "--format", "json", program.toString());
        assertThat(json.code()).as("%s", json).isEqualTo(2);
        JsonNode answer = JSON.readTree(json.out());
        assertThat(answer.path("stdout").asText()).isEqualTo("2\n");
        assertThat(answer.path("exit_code").asInt()).isEqualTo(2);
        assertThat(answer.path("pool").asText()).as("the server's own fields, all of them").isIn("hit", "miss");

        CliProcess.Result yaml = warmbox("execute", "-o", "yaml", program.toString());
        assertThat(new YAMLMapper().readTree(yaml.out()).path("language").asText()).isEqualTo("python");
    }

    @Test
    void showsTheExecutionPoolsAsATableAsJsonAndAsYaml() throws Exception {
        CliProcess.Result table = warmbox("pools");
        assertThat(table.code()).as("%s", table).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines.get(0)).startsWith("RUNTIME").contains("AVAILABLE", "IN_USE", "TARGET", "WAITING");
        assertThat(lines).anyMatch(l -> l.matches("python\\s+1\\s+.*")).anyMatch(l -> l.startsWith("java "))
                .anyMatch(l -> l.startsWith("go ")).anyMatch(l -> l.startsWith("javascript "));
        assertThat(lines.get(lines.size() - 1)).startsWith("pools enabled; hits ");

        JsonNode status = server.status();
        JsonNode json = JSON.readTree(warmbox("pools", "--format", "json").out());
        assertThat(json.path("pools").path("python").path("size").asInt()).isEqualTo(1);
        assertThat(iterable(json.fieldNames())).as("the server's whole answer").containsExactlyElementsOf(iterable(status.fieldNames()));

        JsonNode yaml = new YAMLMapper().readTree(warmbox("pools", "-o", "yaml").out());
        assertThat(yaml.path("scaling").path("go").path("min_size").asInt()).isEqualTo(1);
        assertThat(iterable(yaml.fieldNames())).containsExactlyElementsOf(iterable(status.fieldNames()));
    }

    @Test
    void aDevelopmentEnvironmentIsPrebuiltClaimedOpenedAndDeletedThroughTheCli() throws Exception {
        String classId = call("POST", "/api/v1/environment-classes", Map.of("name", "cli-small", "cpu", 1, "memoryBytes", 512L << 20), 201).path("id").asText();
        String projectId = call("POST", "/api/v1/projects", Map.of("name", "cli-demo",
                "source", Map.of("image", "warmbox/devenv-sample:latest"), "prebuildEnvironmentClassIds", List.of(classId),
                "idePort", 7681, "user", "dev"), 201).path("id").asText();
        assertThat(warmbox("classes").out()).contains("cli-small").contains("512 MiB");
        assertThat(warmbox("projects").out()).contains(projectId).contains("cli-demo").contains("warmbox/devenv-sample:latest");

        CliProcess.Result prebuild = warmbox("prebuilds", "start", projectId, "--class", classId, "--wait", "-o", "json");
        assertThat(prebuild.code()).as("%s", prebuild).isZero();
        String prebuildId = JSON.readTree(prebuild.out()).at("/prebuild/id").asText();
        prebuildIds.add(prebuildId);
        assertThat(JSON.readTree(prebuild.out()).at("/prebuild/status").asText()).isEqualTo("PREBUILD_STATUS_SUCCEEDED");
        assertThat(warmbox("prebuilds").out()).as("every project's prebuilds").contains(prebuildId).contains("PREBUILD_STATUS_SUCCEEDED");
        assertThat(warmbox("prebuilds", "get", projectId, prebuildId).out()).contains("LOG:").contains("committed as");

        String poolId = call("POST", "/api/v1/warm-pools", Map.of("projectId", projectId, "environmentClassId", classId, "minSize", 1, "maxSize", 1), 201)
                .at("/warmPool/id").asText();
        // Awaited through the API (a JVM per poll would only slow the test down), then shown through the CLI.
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            JsonNode pool = call("GET", "/api/v1/warm-pools/" + poolId, null, 200).path("warmPool");
            assertThat(pool.at("/status/runningInstances").asInt()).as("one warm instance: %s", pool).isEqualTo(1);
        });
        assertThat(warmbox("warm-pools", "--project", projectId).out().lines())
                .anyMatch(l -> l.startsWith(poolId) && l.contains("WARM_POOL_PHASE_READY") && l.matches(".*\\s1\\s+1\\s+1\\s+1\\s+0\\s+0\\s+.*"));

        CliProcess.Result claim = warmbox("environments", "claim", "--project", projectId, "--class", classId, "--env", "GREETING=hi");
        assertThat(claim.code()).as("%s", claim).isZero();
        String id = field(claim.out(), "ID");
        String link = field(claim.out(), "ACCESS_LINK");
        assertThat(link).startsWith(server.uri("/environments/" + id + "/?token=wbe_").toString());
        assertThat(field(claim.out(), "WARM")).isEqualTo("true");

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).until(() ->
                call("GET", "/api/v1/environments/" + id, null, 200).at("/environment/status/phase").asText().equals("ENVIRONMENT_PHASE_RUNNING"));
        CliProcess.Result shown = warmbox("environments", "get", id);
        assertThat(field(shown.out(), "PHASE")).isEqualTo("ENVIRONMENT_PHASE_RUNNING");
        assertThat(field(shown.out(), "ROUTE_ACTIVE")).isEqualTo("true");
        HttpClient browser = HttpClient.newHttpClient();
        HttpResponse<Void> claimed = browser.send(HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(claimed.statusCode()).as("the claim's link lets a browser in").isEqualTo(303);
        CliProcess.Result open = warmbox("environments", "open", id);
        assertThat(open.code()).as("%s", open).isZero();
        assertThat(open.err()).as("running: nothing to warn about").isEmpty();
        String opened = open.out().strip();
        assertThat(opened).startsWith(server.uri("/environments/" + id + "/?token=wbe_").toString()).isNotEqualTo(link);
        HttpResponse<Void> first = browser.send(HttpRequest.newBuilder(URI.create(opened)).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(first.statusCode()).as("the link lets a browser in: a redirect with the access cookie").isEqualTo(303);
        assertThat(first.headers().firstValue("Set-Cookie")).get().asString().startsWith("warmbox_access=");
        HttpResponse<Void> old = browser.send(HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(old.statusCode()).as("the claim's link was replaced by the new one").isEqualTo(401);
        assertThat(warmbox("environments").out()).contains(id).contains("ENVIRONMENT_PHASE_RUNNING");

        CliProcess.Result delete = warmbox("environments", "delete", id);
        assertThat(delete.code()).as("%s", delete).isZero();
        assertThat(delete.out()).isEqualTo("deleted environment " + id + "\n");
        CliProcess.Result unknown = warmbox("environments", "get", "no-such-environment");
        assertThat(unknown.code()).as("a 404 is a server error: %s", unknown).isEqualTo(65);
        assertThat(unknown.err()).isEqualTo("warmbox: " + serverError("/api/v1/environments/no-such-environment", RunningServer.API_KEY, 404) + "\n")
                .contains("no-such-environment");
    }

    @Test
    void keysAreCreatedListedAndRevokedAndARevokedKeyIsRefusedClearly() throws Exception {
        CliProcess.Result created = warmbox("keys", "create", "--name", "cli-alice", "--role", "member", "-o", "json");
        assertThat(created.code()).as("%s", created).isZero();
        JsonNode alice = JSON.readTree(created.out());
        String aliceKey = alice.path("key").asText();
        assertThat(aliceKey).startsWith("wb_");
        assertThat(warmbox("keys").out()).contains(alice.path("id").asText()).contains("cli-alice");

        CliProcess.Result member = warmboxWith(Map.of("WARMBOX_API_KEY", aliceKey), "", "keys");
        assertThat(member.code()).as("a member's key is refused the admins' list: %s", member).isEqualTo(67);
        assertThat(member.err()).isEqualTo("warmbox: " + serverError("/api/v1/api-keys", aliceKey, 403) + "\n");
        assertThat(warmboxWith(Map.of("WARMBOX_API_KEY", aliceKey), "", "pools").code()).isZero();

        assertThat(warmbox("keys", "delete", alice.path("id").asText()).code()).isZero();
        CliProcess.Result revoked = warmboxWith(Map.of("WARMBOX_API_KEY", aliceKey), "", "pools");
        assertThat(revoked.code()).isEqualTo(67);
        assertThat(revoked.err()).isEqualTo("warmbox: " + serverError("/api/v1/warm-pool/status", aliceKey, 401)
                + "; the key came from WARMBOX_API_KEY\n");
    }

    @Test
    void aWrongKeyIsReportedInOneLineWithTheServersMessageAndWhereTheKeyCameFrom() throws Exception {
        CliProcess.Result flag = warmbox("pools", "--api-key", "wb_wrong");
        assertThat(flag.code()).isEqualTo(67);
        assertThat(flag.out()).isEmpty();
        assertThat(flag.err()).as("the server's own message, its status and code, and where the key came from")
                .isEqualTo("warmbox: " + serverError("/api/v1/warm-pool/status", "wb_wrong", 401) + "; the key came from --api-key\n");

        Path config = Files.writeString(home.resolve("config.yaml"), "server: " + server.uri("") + "\napi-key: wb_from_the_file\n");
        CliProcess.Result fromFile = new CliProcess(home).run(Map.of("WARMBOX_CONFIG", config.toString()), "", "pools");
        assertThat(fromFile.code()).isEqualTo(67);
        assertThat(fromFile.err()).endsWith("the key came from the config file " + config + "\n");
        CliProcess.Result envBeatsFile = new CliProcess(home).run(Map.of("WARMBOX_CONFIG", config.toString(),
                "WARMBOX_API_KEY", RunningServer.API_KEY), "", "pools");
        assertThat(envBeatsFile.code()).as("WARMBOX_API_KEY beats the file; the file's server is used: %s", envBeatsFile).isZero();
    }

    @Test
    void aServerThatDoesNotAnswerIsReportedWithoutAStackTrace() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        CliProcess.Result run = warmboxWith(Map.of("WARMBOX_URL", "http://127.0.0.1:" + port), "", "pools");
        assertThat(run.code()).isEqualTo(69);
        assertThat(run.err()).isEqualTo("warmbox: cannot reach the warmbox server at http://127.0.0.1:" + port
                + " (from WARMBOX_URL): connection refused\n");
    }

    private static JsonNode call(String method, String path, Object body, int expected) {
        HttpResponse<String> response = server.request(method, path, body == null ? null : RunningServer.write(body), RunningServer.API_KEY);
        assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(expected);
        return RunningServer.read(response.body());
    }

    /** What the CLI should print for an error answer: the server's message, then its status and code, read straight from the API. */
    private static String serverError(String path, String key, int status) {
        HttpResponse<String> response = server.request("GET", path, null, key);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = RunningServer.read(response.body()).path("error");
        return error.path("message").asText() + " (HTTP " + status + " " + error.path("code").asText() + ")";
    }

    /** A field of a one-item table: the text after "NAME:". */
    private static String field(String shown, String name) {
        return shown.lines().filter(l -> l.startsWith(name + ":")).map(l -> l.substring(name.length() + 1).strip()).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in:\n" + shown));
    }

    private static <T> List<T> iterable(java.util.Iterator<T> items) {
        List<T> list = new ArrayList<>();
        items.forEachRemaining(list::add);
        return list;
    }
}
