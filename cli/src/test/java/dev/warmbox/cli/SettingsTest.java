package dev.warmbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path dir;

    private Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(Map.of("HOME", dir.resolve("home").toString()));
        for (int i = 0; i < pairs.length; i += 2) env.put(pairs[i], pairs[i + 1]);
        return env;
    }

    private Path config(String yaml) throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void flagsWinOverEnvironmentWhichWinsOverTheConfigFile() throws IOException {
        Path file = config("server: http://file:1\napi-key: from-file\nformat: yaml\n");
        Map<String, String> env = env("WARMBOX_URL", "http://env:2", "WARMBOX_API_KEY", "from-env", "WARMBOX_CONFIG", file.toString());

        Settings flags = Settings.resolve("http://flag:3/", "from-flag", Format.json, env, ConfigFile.load(env));
        assertThat(flags.server()).hasToString("http://flag:3");
        assertThat(flags.apiKey()).isEqualTo("from-flag");
        assertThat(flags.apiKeySource()).isEqualTo("--api-key");
        assertThat(flags.format()).isEqualTo(Format.json);

        Settings fromEnv = Settings.resolve(null, null, null, env, ConfigFile.load(env));
        assertThat(fromEnv.server()).hasToString("http://env:2");
        assertThat(fromEnv.serverSource()).isEqualTo("WARMBOX_URL");
        assertThat(fromEnv.apiKey()).isEqualTo("from-env");
        assertThat(fromEnv.format()).as("format has no variable: the file's").isEqualTo(Format.yaml);

        Map<String, String> fileOnly = env("WARMBOX_CONFIG", file.toString());
        Settings fromFile = Settings.resolve(null, null, null, fileOnly, ConfigFile.load(fileOnly));
        assertThat(fromFile.server()).hasToString("http://file:1");
        assertThat(fromFile.apiKey()).isEqualTo("from-file");
        assertThat(fromFile.apiKeySource()).isEqualTo("the config file " + file);
    }

    @Test
    void withNothingGivenTheServerIsTheLocalDefaultAndTheKeyIsMissingByName() {
        Map<String, String> env = env();
        Settings settings = Settings.resolve(null, null, null, env, ConfigFile.load(env));
        assertThat(settings.server()).hasToString("http://127.0.0.1:8002");
        assertThat(settings.format()).isEqualTo(Format.table);
        assertThatThrownBy(settings::requireApiKey).isInstanceOf(CliException.class)
                .hasMessageContaining("--api-key").hasMessageContaining("WARMBOX_API_KEY")
                .hasMessageContaining(dir.resolve("home/.config/warmbox/config.yaml").toString())
                .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
    }

    @Test
    void blankValuesFallThroughToTheNextPlace() {
        Map<String, String> env = env("WARMBOX_URL", "  ", "WARMBOX_API_KEY", "k");
        Settings settings = Settings.resolve("", null, null, env, Optional.empty());
        assertThat(settings.server()).hasToString(Settings.DEFAULT_SERVER);
        assertThat(settings.apiKey()).isEqualTo("k");
    }

    @Test
    void theDefaultConfigFileIsReadFromXdgConfigHomeThenHome() throws IOException {
        Path xdg = dir.resolve("xdg/warmbox/config.yaml");
        Files.createDirectories(xdg.getParent());
        Files.writeString(xdg, "api-key: from-xdg\n");
        Path home = dir.resolve("home/.config/warmbox/config.yaml");
        Files.createDirectories(home.getParent());
        Files.writeString(home, "api-key: from-home\n");

        assertThat(ConfigFile.load(env("XDG_CONFIG_HOME", dir.resolve("xdg").toString()))).get()
                .extracting(ConfigFile::apiKey).isEqualTo("from-xdg");
        assertThat(ConfigFile.load(env())).get().extracting(ConfigFile::apiKey).isEqualTo("from-home");
    }

    @Test
    void aConfigFileWithAnUnknownKeyOrNotYamlIsAUsageErrorNamingTheFile() throws IOException {
        Path typo = config("sever: http://x\n");
        assertThatThrownBy(() -> ConfigFile.load(env("WARMBOX_CONFIG", typo.toString()))).isInstanceOf(CliException.class)
                .hasMessageContaining(typo.toString()).hasMessageContaining("'sever'");
        Path broken = config("server: [unclosed\n");
        assertThatThrownBy(() -> ConfigFile.load(env("WARMBOX_CONFIG", broken.toString())))
                .hasMessageContaining("cannot read the config file " + broken);
        assertThatThrownBy(() -> ConfigFile.load(env("WARMBOX_CONFIG", dir.resolve("absent.yaml").toString())))
                .hasMessageContaining("WARMBOX_CONFIG names " + dir.resolve("absent.yaml"));
    }

    @Test
    void aServerThatIsNotAnHttpUrlIsRefusedNamingWhereItCameFrom() {
        Map<String, String> env = env("WARMBOX_URL", "localhost:8002");
        assertThatThrownBy(() -> Settings.resolve(null, "k", null, env, Optional.empty()))
                .hasMessageContaining("from WARMBOX_URL").hasMessageContaining("'localhost:8002'");
    }

    @Test
    void anUnknownFormatInTheConfigFileIsRefused() throws IOException {
        Map<String, String> env = env("WARMBOX_CONFIG", config("format: xml\n").toString());
        assertThatThrownBy(() -> Settings.resolve(null, "k", null, env, ConfigFile.load(env)))
                .hasMessageContaining("format in the config file").hasMessageContaining("'xml'");
    }
}
