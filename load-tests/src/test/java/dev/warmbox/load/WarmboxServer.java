package dev.warmbox.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The server under load as the simulations observe it outside the load itself: its status and
 * metrics over HTTP, and its containers through the local engine's CLI (by the instance id label).
 */
final class WarmboxServer {
    private final LoadSettings settings;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    WarmboxServer(LoadSettings settings) {
        this.settings = settings;
    }

    PoolStatus status() {
        return PoolStatus.parse(get("/api/v1/warm-pool/status"));
    }

    ServerSample sample() {
        return ServerSample.of(System.currentTimeMillis(), get("/metrics"), containers());
    }

    /** Waits until every pool is full and idle (scrubs done, misses removed), so readings compare like with like. */
    PoolStatus awaitSettled(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            PoolStatus status = status();
            if (status.settled()) return status;
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the pools did not settle within " + timeout + ": " + status.pools());
            }
            pause(Duration.ofMillis(250));
        }
    }

    /** Containers labelled with this server's instance id, running or not. */
    int containers() {
        List<String> command = List.of("docker", "ps", "-aq", "--filter", "label=warmbox.owner=" + settings.instanceId());
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
            return (int) output.lines().filter(l -> !l.isBlank()).count();
        } catch (IOException e) {
            throw new UncheckedIOException("the soak counts containers with the docker CLI, which cannot run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String get(String path) {
        HttpRequest request = HttpRequest.newBuilder(settings.url().resolve(path)).header("X-API-Key", settings.apiKey())
                .timeout(Duration.ofSeconds(30)).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + settings.url().resolve(path) + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
