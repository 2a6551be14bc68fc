package dev.warmbox;

import dev.warmbox.config.ConfigException;
import dev.warmbox.config.WarmboxConfig;
import dev.warmbox.store.StoreException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts warmbox from the environment; a bad configuration stops it with a message, not a stack trace. */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) {
        Warmbox warmbox;
        try {
            warmbox = Warmbox.start(WarmboxConfig.fromEnvironment(System.getenv()), Clock.systemUTC());
        } catch (ConfigException | StoreException e) {
            System.err.println("warmbox cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        warmbox.generatedKey().ifPresent(key -> System.out.println("""
                ================================================================
                No API key was configured, so warmbox generated this admin key.
                It is shown once; only its hash is stored. Keep it:

                    %s
                ================================================================""".formatted(key)));
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("warmbox-shutdown").unstarted(warmbox::close));
        log.info("warmbox listening on port {}", warmbox.port());
    }
}
