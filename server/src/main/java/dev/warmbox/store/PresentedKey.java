package dev.warmbox.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * The API key a request presents, in either form clients send: {@code X-API-Key: <key>} or
 * {@code Authorization: Bearer <key>} (RFC 6750; Prometheus and most HTTP clients can send only this
 * one). Read from the two header values alone, so the API's filter and the environment router decide
 * alike; the key itself is checked by {@link ApiKeys#authenticate}, in constant time.
 *
 * <p>Both headers with the same key are that key; with different keys the request is ambiguous and
 * refused rather than one of them picked. An {@code Authorization} header of another scheme (Basic from
 * a proxy in front, say) is ignored when {@code X-API-Key} carries the key, and refused when nothing
 * else does.
 */
public sealed interface PresentedKey {
    String API_KEY_HEADER = "X-API-Key";
    String AUTHORIZATION_HEADER = "Authorization";
    String WWW_AUTHENTICATE_HEADER = "WWW-Authenticate";
    String BEARER = "Bearer";
    /** What every 401 tells the client to send. */
    String ACCEPTED_FORMS = "send your API key as 'Authorization: Bearer <key>' or in the X-API-Key header";

    /** A key to check. */
    record Key(String value) implements PresentedKey {
        @Override
        public String toString() {
            return "Key[hidden]";
        }
    }

    /** Neither header carries anything. */
    record Missing() implements PresentedKey {}

    /** Only an {@code Authorization} header of a scheme other than Bearer. */
    record OtherScheme(String scheme) implements PresentedKey {
        public String message() {
            return "the Authorization scheme '" + scheme + "' is not accepted; " + ACCEPTED_FORMS;
        }
    }

    /** Headers that name no single key: a Bearer header without one, or two headers with different keys. */
    record Malformed(String message) implements PresentedKey {}

    static PresentedKey from(String apiKeyHeader, String authorizationHeader) {
        String apiKey = apiKeyHeader == null || apiKeyHeader.isBlank() ? null : apiKeyHeader;
        if (authorizationHeader == null || authorizationHeader.isBlank()) return apiKey == null ? new Missing() : new Key(apiKey);
        String authorization = authorizationHeader.strip();
        int space = firstWhitespace(authorization);
        String scheme = space < 0 ? authorization : authorization.substring(0, space);
        if (!scheme.equalsIgnoreCase(BEARER)) {
            return apiKey != null ? new Key(apiKey) : new OtherScheme(scheme.length() > 40 ? scheme.substring(0, 40) + "..." : scheme);
        }
        String bearer = space < 0 ? "" : authorization.substring(space).strip();
        if (bearer.isEmpty() || firstWhitespace(bearer) >= 0) {
            return new Malformed("the Authorization header must be 'Bearer <key>', with the key after one space");
        }
        if (apiKey != null && !sameKey(apiKey, bearer)) {
            return new Malformed("the request carries two different API keys, in X-API-Key and in Authorization: Bearer; send one");
        }
        return new Key(bearer);
    }

    /** Whether an {@code Authorization} value is of the Bearer scheme, i.e. carried the API key. */
    static boolean isBearer(String authorizationHeader) {
        if (authorizationHeader == null) return false;
        String value = authorizationHeader.strip();
        return value.regionMatches(true, 0, BEARER, 0, BEARER.length())
                && (value.length() == BEARER.length() || Character.isWhitespace(value.charAt(BEARER.length())));
    }

    /**
     * The {@code WWW-Authenticate} value of a 401 (RFC 6750 section 3).
     *
     * @param error {@code invalid_request}, {@code invalid_token}, or null when no credentials came
     */
    static String challenge(String error) {
        return error == null ? "Bearer realm=\"warmbox\"" : "Bearer realm=\"warmbox\", error=\"" + error.toLowerCase(Locale.ROOT) + "\"";
    }

    private static int firstWhitespace(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isWhitespace(value.charAt(i))) return i;
        }
        return -1;
    }

    /** Constant-time, like the check the key itself gets: how far two keys agree is not measurable. */
    private static boolean sameKey(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
