package dev.warmbox.routing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Access links: a browser cannot send an API key, so a claim hands its owner a link carrying a
 * random per-environment token, {@code /environments/{id}/?token=...}. Only the token's hash is
 * stored. The router checks the token, turns it into an HttpOnly cookie scoped to the environment's
 * path, and redirects to the clean URL. As with API keys, an unsalted SHA-256 is right: the token
 * carries 256 random bits, so there is nothing to brute-force.
 */
public final class EnvironmentAccess {
    static final String TOKEN_PREFIX = "wbe_";
    private static final int TOKEN_BYTES = 32;
    private static final SecureRandom random = new SecureRandom();

    private EnvironmentAccess() {}

    /** A token and its hash. The token is shown once to the owner; only {@code hash} is stored. */
    public record AccessToken(String token, String hash) {
        @Override
        public String toString() {
            return "AccessToken[hash=" + hash + "]";
        }
    }

    /** A fresh token for one claim. */
    public static AccessToken newToken() {
        byte[] secret = new byte[TOKEN_BYTES];
        random.nextBytes(secret);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new AccessToken(token, hash(token));
    }

    /** The stored form of a token: SHA-256, lower-case hex. */
    public static String hash(String token) {
        return HexFormat.of().formatHex(digest(token));
    }

    /** The path (relative to the server's base URL) that opens the environment in a browser. */
    public static String link(String environmentId, String token) {
        return EnvironmentRouter.PREFIX + environmentId + "/?" + EnvironmentRouter.TOKEN_PARAMETER + "="
                + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }

    /** Whether the presented token hashes to the stored hash, compared in constant time. */
    static boolean matches(String presentedToken, String storedHash) {
        if (presentedToken == null || presentedToken.isEmpty() || storedHash == null) return false;
        byte[] stored;
        try {
            stored = HexFormat.of().parseHex(storedHash);
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        return MessageDigest.isEqual(digest(presentedToken), stored);
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
