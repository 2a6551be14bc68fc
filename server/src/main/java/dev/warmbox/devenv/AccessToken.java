package dev.warmbox.devenv;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The per-environment token of the browser's access link ({@code /environments/{id}/?token=...}):
 * 256 random bits, shown once in the claim's answer; only its SHA-256 (hex) is stored, which is what
 * the router compares against (the same format as dev.warmbox.routing.EnvironmentAccess).
 */
record AccessToken(String token, String hash) {
    private static final SecureRandom RANDOM = new SecureRandom();

    static AccessToken generate() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = "wbe_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return new AccessToken(token, HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    String link(String environmentUrl) {
        return environmentUrl + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "AccessToken[hash=" + hash + "]";
    }
}
