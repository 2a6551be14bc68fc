package dev.warmbox.store;

import java.util.Locale;

/** What a key may do: admins manage keys and configuration, members run code. */
public enum Role {
    ADMIN,
    MEMBER;

    /** The value stored in the role column, which a CHECK constraint limits to these two. */
    String column() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Role fromColumn(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
