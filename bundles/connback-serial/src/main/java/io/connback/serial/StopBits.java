package io.connback.serial;

/** The stop bits of a serial port; configured as {@code 1}, {@code 1.5} or {@code 2}. */
public enum StopBits {
    /** One stop bit. */
    ONE("1"),
    /** One and a half stop bits. */
    ONE_POINT_FIVE("1.5"),
    /** Two stop bits. */
    TWO("2");

    private final String text;

    StopBits(String text) {
        this.text = text;
    }

    /**
     * The stop bits of that configuration value.
     *
     * @param text {@code 1}, {@code 1.5} or {@code 2}
     * @return the stop bits
     * @throws IllegalArgumentException listing the valid values
     */
    public static StopBits named(String text) {
        for (StopBits bits : values()) {
            if (bits.text.equals(text.trim())) {
                return bits;
            }
        }
        throw new IllegalArgumentException("expected 1, 1.5 or 2");
    }

    @Override
    public String toString() {
        return text;
    }
}
