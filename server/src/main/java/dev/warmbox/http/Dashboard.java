package dev.warmbox.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.staticfiles.Location;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web dashboard: the files the ui/ build put on the classpath under /ui, served as they are under
 * /ui/. The files need no key (the key check skips this mount); every figure on the page comes from
 * the API, called with the key the user signed in with. Self only: the page may load and call nothing
 * but this server.
 */
final class Dashboard {
    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
    static final String PATH = "/ui";
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private Dashboard() {}

    static boolean isDashboard(String path) {
        return path.equals(PATH) || path.startsWith(PATH + "/");
    }

    static void install(JavalinConfig config) {
        if (Dashboard.class.getResource(PATH + "/index.html") == null) {
            // A server built without the ui/ step (an IDE's own compiler) still serves the API.
            log.warn("the web dashboard is not on the classpath (no {}/index.html); build with Maven to include it", PATH);
            return;
        }
        config.staticFiles.add(files -> {
            files.hostedPath = PATH;
            files.directory = PATH;
            files.location = Location.CLASSPATH;
            files.headers = Map.of(
                    "Content-Security-Policy", CONTENT_SECURITY_POLICY,
                    "X-Content-Type-Options", "nosniff",
                    "Referrer-Policy", "no-referrer",
                    "Cache-Control", "no-cache");
        });
    }
}
