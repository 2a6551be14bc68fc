package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole flow in a real browser: headless Chromium opens an environment's access link, follows the
 * redirect with the cookie, loads the terminal page through the proxy, and a command typed into the
 * terminal runs in the container and shows its output.
 */
class BrowserRoutingIT {
    /** Reads the terminal's screen (xterm.js buffer) as text. */
    private static final String SCREEN = """
            (() => { const b = window.warmboxTerminal.buffer.active; let s = '';
              for (let i = 0; i < b.length; i++) { const l = b.getLine(i); if (l) s += l.translateToString(true) + '\\n'; }
              return s; })()""";

    @Test
    void aBrowserOpensTheAccessLinkAndUsesTheTerminal() throws Exception {
        try (RoutedEnvironments env = new RoutedEnvironments(); HeadlessChromium chromium = new HeadlessChromium()) {
            String container = env.startContainer("browser");
            env.route("env-browser", env.ownerKeyId, env.ideOf(container), true);
            String link = env.issueLink("env-browser");

            chromium.call("Page.navigate", Map.of("url", env.uri(link).toString()));
            await("the terminal page connected its WebSocket").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> "connected".equals(chromium.evaluate("document.body ? document.body.dataset.state : ''").asText()));
            assertThat(chromium.evaluate("location.pathname + location.search").asText())
                    .as("redirected to the clean URL, the token gone from the address bar").isEqualTo("/environments/env-browser/");
            assertThat(chromium.evaluate("document.cookie").asText()).as("the access cookie is HttpOnly").isEmpty();

            chromium.call("Input.insertText", Map.of("text", "echo \"browser-$((6*7))-$(whoami)\""));
            // rawKeyDown: a key press without the keypress event, so Enter reaches the terminal once.
            chromium.call("Input.dispatchKeyEvent", Map.of("type", "rawKeyDown", "key", "Enter", "code", "Enter", "windowsVirtualKeyCode", 13));
            chromium.call("Input.dispatchKeyEvent", Map.of("type", "keyUp", "key", "Enter", "code", "Enter", "windowsVirtualKeyCode", 13));
            await("the command's output and the next prompt on the terminal screen").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> chromium.evaluate(SCREEN).asText(), screen -> screen.contains("browser-42-dev") && prompts(screen) >= 2);
            assertThat(prompts(chromium.evaluate(SCREEN).asText())).as("one line typed, one line run: no stray line breaks").isEqualTo(2);

            String png = chromium.call("Page.captureScreenshot", Map.of("format", "png")).get("data").asText();
            Path screenshot = Path.of("target", "browser-routing-terminal.png");
            Files.write(screenshot, Base64.getDecoder().decode(png));
            assertThat(Files.size(screenshot)).as("a screenshot for people to look at").isPositive();
        }
    }

    private static long prompts(String screen) {
        return screen.lines().filter(line -> line.contains(":/workspace$")).count();
    }
}
