package dev.warmbox.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.transport.DockerHttpClient;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What listing costs in engine calls, on docker-java's own transport seam answering like an engine:
 * the engine's list already says each container's name, state, labels and address, so listing 20
 * containers is one call, as listing one is.
 */
class DockerContainerProviderListingTest {

    @Test
    void listingIsOneEngineCallWhateverTheNumberOfContainers() {
        assertThat(engineCallsToList(1)).as("one container").containsExactly("GET containers/json");
        assertThat(engineCallsToList(20)).as("twenty containers: still one call, no inspect per container").containsExactly("GET containers/json");
    }

    @Test
    void listedContainersCarryWhatTheEngineListed() {
        FakeEngine engine = new FakeEngine(2);
        List<ContainerState> states = new DockerContainerProvider("tcp://engine.invalid:2375", engine).list(Map.of("warmbox.devenv", "t"));

        assertThat(states).extracting(ContainerState::name).as("without Docker's leading slash").containsExactly("wb-dev-0", "wb-dev-1");
        assertThat(states).extracting(ContainerState::status).containsExactly(ContainerState.Status.RUNNING, ContainerState.Status.EXITED);
        assertThat(states.getFirst().labels()).containsEntry("warmbox.devenv", "t");
        assertThat(states).extracting(ContainerState::ipAddress).as("a stopped container has no address").containsExactly("10.0.0.2", null);
    }

    private static List<String> engineCallsToList(int containers) {
        FakeEngine engine = new FakeEngine(containers);
        List<ContainerState> states = new DockerContainerProvider("tcp://engine.invalid:2375", engine).list(Map.of("warmbox.devenv", "t"));
        assertThat(states).as("every container listed").hasSize(containers);
        return engine.calls;
    }

    /** Answers the list and inspect endpoints for {@code count} containers (every second one exited) and records each call. */
    private static final class FakeEngine implements DockerHttpClient {
        final List<String> calls = new CopyOnWriteArrayList<>();
        private final int count;

        FakeEngine(int count) {
            this.count = count;
        }

        @Override
        public Response execute(Request request) {
            String path = request.path().replaceFirst("^/v[0-9.]+/", "").replaceFirst("\\?.*$", "");
            calls.add(request.method() + " " + path);
            if (path.equals("containers/json")) {
                return json(IntStream.range(0, count).mapToObj(i -> """
                        {"Id": "id%d", "Names": ["/wb-dev-%d"], "Image": "x", "State": "%s", "Status": "", "Labels": {"warmbox.devenv": "t"},
                         "NetworkSettings": {"Networks": {"warmbox-devenv": {"IPAddress": "%s"}}}}"""
                        .formatted(i, i, i % 2 == 0 ? "running" : "exited", i % 2 == 0 ? "10.0.0." + (i + 2) : ""))
                        .collect(Collectors.joining(",", "[", "]")));
            }
            String id = path.replaceAll("^containers/([^/]+)/json$", "$1");
            int i = Integer.parseInt(id.substring(2));
            return json("""
                    {"Id": "%s", "Name": "/wb-dev-%d", "State": {"Status": "%s", "StartedAt": "2026-01-01T00:00:00Z", "ExitCode": 0},
                     "Config": {"Labels": {"warmbox.devenv": "t"}}, "NetworkSettings": {"Networks": {}}}"""
                    .formatted(id, i, i % 2 == 0 ? "running" : "exited"));
        }

        private static Response json(String body) {
            return new Response() {
                @Override
                public int getStatusCode() {
                    return 200;
                }

                @Override
                public Map<String, List<String>> getHeaders() {
                    return Map.of("Content-Type", List.of("application/json"));
                }

                @Override
                public InputStream getBody() {
                    return new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8));
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void close() {
        }
    }
}
