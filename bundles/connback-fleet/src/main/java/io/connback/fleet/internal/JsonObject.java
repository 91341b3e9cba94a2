package io.connback.fleet.internal;

import java.util.List;

/**
 * Writes one flat JSON object (RFC 8259): string, number, null and string-array members, in the order added. The fleet
 * status needs no more, and no JSON library is worth a dependency for it. Not thread-safe.
 */
final class JsonObject {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out = new StringBuilder("{");

    /**
     * Adds a string member.
     *
     * @param name the member name
     * @param value the value, or {@code null} for JSON {@code null}
     * @return this object
     */
    JsonObject add(String name, String value) {
        name(name);
        if (value == null) {
            out.append("null");
        } else {
            quote(value);
        }
        return this;
    }

    /**
     * Adds a number member.
     *
     * @param name the member name
     * @param value the value
     * @return this object
     */
    JsonObject add(String name, long value) {
        name(name);
        out.append(value);
        return this;
    }

    /**
     * Adds an array of strings.
     *
     * @param name the member name
     * @param values the strings
     * @return this object
     */
    JsonObject add(String name, List<String> values) {
        name(name);
        out.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            quote(values.get(i));
        }
        out.append(']');
        return this;
    }

    /**
     * The object's text.
     *
     * @return the JSON text, on one line
     */
    @Override
    public String toString() {
        return out + "}";
    }

    private void name(String name) {
        if (out.length() > 1) {
            out.append(',');
        }
        quote(name);
        out.append(':');
    }

    /**
     * Writes a string literal: quote, backslash and the control characters escaped, as JSON requires; also U+2028 and
     * U+2029, which end a line in JavaScript; everything else as is (the text is sent as UTF-8).
     */
    private void quote(String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF])
                                .append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
