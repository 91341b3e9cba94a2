package io.connback.serial;

import java.util.Locale;

/** The parity bit of a serial port; configured as {@code none}, {@code odd}, {@code even}, {@code mark}, {@code space}. */
public enum Parity {
    /** No parity bit. */
    NONE,
    /** Odd parity. */
    ODD,
    /** Even parity. */
    EVEN,
    /** Parity bit always 1. */
    MARK,
    /** Parity bit always 0. */
    SPACE;

    /**
     * The parity of that configuration name.
     *
     * @param name a name, in any case
     * @return the parity
     * @throws IllegalArgumentException listing the valid names
     */
    public static Parity named(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected none, odd, even, mark or space");
        }
    }
}
