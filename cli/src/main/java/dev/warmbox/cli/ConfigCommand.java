package dev.warmbox.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Shows the settings this run would use and where each came from; the key is masked. */
@Command(name = "config", description = "Show the server, key and format in effect and where each comes from (the key masked).")
final class ConfigCommand implements Callable<Integer> {
    private final Session session;

    ConfigCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Settings s = session.settings();
        ObjectNode shown = JsonNodeFactory.instance.objectNode()
                .put("server", s.server().toString()).put("serverFrom", s.serverSource())
                .put("apiKey", mask(s.apiKey())).put("apiKeyFrom", s.apiKeySource())
                .put("format", s.format().name()).put("configFile", s.configPath());
        session.output().item(shown, shown, java.util.List.of(
                Column.of("SERVER", "/server"), Column.of("SERVER_FROM", "/serverFrom"), Column.of("API_KEY", "/apiKey"),
                Column.of("API_KEY_FROM", "/apiKeyFrom"), Column.of("FORMAT", "/format"), Column.of("CONFIG_FILE", "/configFile")));
        return ExitCodes.OK;
    }

    static String mask(String key) {
        if (key == null) return null;
        return key.length() <= 8 ? "****" : key.substring(0, 4) + "…" + key.substring(key.length() - 2);
    }
}
