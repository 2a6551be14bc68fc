package dev.warmbox.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where every store keeps its rows: the embedded SQLite file ({@code WARMBOX_DB_PATH}, the default), or
 * a PostgreSQL database ({@code WARMBOX_DATABASE_URL}) that several servers share.
 */
public sealed interface DatabaseSettings {
    String URL = "WARMBOX_DATABASE_URL";
    String USER = "WARMBOX_DATABASE_USER";
    String PASSWORD = "WARMBOX_DATABASE_PASSWORD";

    /** One server's own file. */
    record Sqlite(Path file) implements DatabaseSettings {}

    /**
     * A PostgreSQL server, reached through {@code jdbcUrl} (which carries no credentials) as {@code user}.
     *
     * @param address host, port and database, for messages (never the password)
     */
    record Postgres(String jdbcUrl, String address, String user, Optional<String> password) implements DatabaseSettings {
        @Override
        public String toString() {
            return "Postgres[" + address + ", user=" + user + ", password=" + password.map(p -> "(set)").orElse("(none)") + "]";
        }
    }

    static DatabaseSettings from(Variables v) {
        Optional<String> url = v.string(URL);
        if (url.isEmpty()) return new Sqlite(Path.of(v.string("WARMBOX_DB_PATH", "data/warmbox.db")));
        return postgres(url.get(), v.string(USER), v.string(PASSWORD));
    }

    /**
     * A libpq URL ({@code postgresql://user:password@host:5432/warmbox?sslmode=require}) or a JDBC one
     * ({@code jdbc:postgresql://host:5432/warmbox}); the variables' user and password win over the URL's,
     * so the password can come from a secret of its own.
     */
    private static Postgres postgres(String url, Optional<String> userVariable, Optional<String> passwordVariable) {
        String rest = url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url;
        if (!rest.startsWith("postgresql://") && !rest.startsWith("postgres://")) {
            throw invalid(url, "must start with postgresql:// or jdbc:postgresql://");
        }
        URI uri;
        try {
            uri = new URI(rest);
        } catch (URISyntaxException e) {
            throw invalid(url, "is not a URL (" + e.getReason() + ")");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) throw invalid(url, "names no host");
        String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (database.isBlank() || database.contains("/")) throw invalid(url, "names no database (postgresql://host:5432/DATABASE)");
        String[] userInfo = uri.getRawUserInfo() == null ? new String[0] : uri.getRawUserInfo().split(":", 2);
        Optional<String> urlUser = userInfo.length > 0 ? Optional.of(decode(userInfo[0])).filter(s -> !s.isBlank()) : Optional.empty();
        Optional<String> urlPassword = userInfo.length == 2 ? Optional.of(decode(userInfo[1])) : Optional.empty();
        if (uri.getRawQuery() != null && uri.getRawQuery().matches("(?i)(.*&)?(user|password)=.*")) {
            throw invalid(url, "carries user or password as a parameter; put them before the host (postgresql://user:password@host/db) "
                    + "or in " + USER + " and " + PASSWORD);
        }
        String user = userVariable.or(() -> urlUser)
                .orElseThrow(() -> invalid(url, "names no user; give one in the URL (postgresql://user:password@host/db) or in " + USER));
        String address = uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort()) + "/" + database;
        String jdbcUrl = "jdbc:postgresql://" + (uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]" : uri.getHost())
                + (uri.getPort() == -1 ? "" : ":" + uri.getPort()) + "/" + uri.getRawPath().replaceFirst("^/", "")
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new Postgres(jdbcUrl, address, user, passwordVariable.or(() -> urlPassword));
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Names the variable and what is wrong, but never repeats a password the URL may hold. */
    private static ConfigException invalid(String url, String problem) {
        return new ConfigException(URL + " " + problem + ", got '" + withoutPassword(url) + "' (unset: the SQLite file WARMBOX_DB_PATH)");
    }

    static String withoutPassword(String url) {
        return url.replaceAll("(//[^/@:]*):[^/@]*@", "$1:***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
