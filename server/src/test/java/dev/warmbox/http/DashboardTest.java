package dev.warmbox.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's mount on a bare Javalin: the files the build put under /ui, with their headers. */
class DashboardTest {
    private Javalin http;
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeEach
    void start() {
        http = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = "127.0.0.1";
            config.jetty.port = 0;
            Dashboard.install(config);
        }).start();
    }

    @AfterEach
    void stop() {
        http.stop();
    }

    @Test
    void servesTheBuiltPageWithASelfOnlyPolicy() throws Exception {
        HttpResponse<String> page = get("/ui/");
        assertThat(page.statusCode()).as("the Maven build put ui/'s output on the classpath").isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(Dashboard.CONTENT_SECURITY_POLICY);
        String script = page.body().replaceAll("(?s).*<script type=\"module\" crossorigin src=\"(/ui/assets/[^\"]+\\.js)\".*", "$1");
        HttpResponse<String> bundle = get(script);
        assertThat(bundle.statusCode()).as("the page's script %s", script).isEqualTo(200);
        assertThat(bundle.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        assertThat(bundle.body()).as("the key travels in a header").contains("X-API-Key").doesNotContain("cdn", "https://");
    }

    @Test
    void servesTheSamePageWithoutTheTrailingSlash() throws Exception {
        // The page names its files by absolute paths (Vite's base /ui/), so it works from either address.
        HttpResponse<String> bare = get("/ui");
        assertThat(bare.statusCode()).isEqualTo(200);
        assertThat(bare.body()).isEqualTo(get("/ui/").body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
