package dev.warmbox;

import dev.warmbox.config.ConfigException;
import dev.warmbox.config.WarmboxConfig;
import dev.warmbox.store.StoreException;
import io.javalin.util.JavalinBindException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts warmbox from the environment; every start-up failure a user can cause stops it with one line and exit code 2. */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) {
        Warmbox warmbox;
        WarmboxConfig config = null;
        try {
            config = WarmboxConfig.fromEnvironment(System.getenv());
            warmbox = Warmbox.start(config, Clock.systemUTC());
        } catch (ConfigException | StoreException e) {
            System.err.println("warmbox cannot start: " + e.getMessage());
            System.exit(2);
            return;
        } catch (JavalinBindException e) {
            System.err.println("warmbox cannot start: port " + config.port() + " (WARMBOX_PORT) is already in use on "
                    + config.bindAddress());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            // Not one a user can cause: a bug. One line here too, and the trace in the log for the report.
            log.error("start-up failed", e);
            System.err.println("warmbox cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        warmbox.generatedKey().ifPresent(key -> System.out.println(keyBanner(key)));
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("warmbox-shutdown").unstarted(warmbox::close));
        log.info(listening(warmbox.port()));
    }

    /** What a start that generated the admin key prints; scripts/start.sh shows the key it finds in it. */
    public static String keyBanner(String key) {
        return """
                ================================================================
                No API key was configured, so warmbox generated this admin key.
                It is shown once; only its hash is stored. Keep it:

                    %s
                ================================================================""".formatted(key);
    }

    /** The last line of a start, after any key banner: scripts/start.sh waits for it as well as for /health/ready. */
    public static String listening(int port) {
        return "warmbox listening on port " + port;
    }
}
