package dev.warmbox.http;

import java.util.Map;

/** The one error shape clients see: {@code {"error": {"code", "message"}}}. */
record ApiError(Map<String, String> error) {
    static ApiError of(String code, String message) {
        return new ApiError(Map.of("code", code, "message", message));
    }
}
