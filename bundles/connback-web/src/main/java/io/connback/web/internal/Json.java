package io.connback.web.internal;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Writes JSON text (RFC 8259) into a buffer, member by member: objects and arrays nest, strings are escaped so that
 * any link name or error message stays one JSON string (control characters, quotes, backslashes, and {@code <},
 * {@code >}, {@code &} and the line separators U+2028/U+2029 as {@code \}{@code u} escapes, so that the text is safe to
 * embed anywhere). The page, the API and the event stream need no more; no JSON library is worth a dependency for it.
 * Not thread-safe; the caller keeps the nesting right.
 */
final class Json {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out = new StringBuilder(256);
    /** Whether the next value or member is the first of its object or array (no comma before it). */
    private boolean first = true;

    Json beginObject() {
        separate();
        out.append('{');
        first = true;
        return this;
    }

    Json endObject() {
        out.append('}');
        first = false;
        return this;
    }

    Json beginArray() {
        separate();
        out.append('[');
        first = true;
        return this;
    }

    Json endArray() {
        out.append(']');
        first = false;
        return this;
    }

    /** Starts a member: its value follows (a value call, or an object or array). */
    Json name(String name) {
        separate();
        quote(name);
        out.append(':');
        first = true;
        return this;
    }

    Json value(String text) {
        separate();
        if (text == null) {
            out.append("null");
        } else {
            quote(text);
        }
        return this;
    }

    Json value(long number) {
        separate();
        out.append(number);
        return this;
    }

    Json value(boolean flag) {
        separate();
        out.append(flag);
        return this;
    }

    Json member(String name, String text) {
        return name(name).value(text);
    }

    Json member(String name, long number) {
        return name(name).value(number);
    }

    Json member(String name, boolean flag) {
        return name(name).value(flag);
    }

    /** A string member, {@code null} when empty. */
    Json member(String name, Optional<String> text) {
        return name(name).value(text.orElse(null));
    }

    /** An instant as an ISO-8601 string in UTC, {@code null} when {@code null}. */
    Json member(String name, Instant instant) {
        return name(name).value(instant == null ? null : instant.toString());
    }

    Json member(String name, List<String> texts) {
        name(name).beginArray();
        texts.forEach(this::value);
        return endArray();
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private void separate() {
        if (!first) {
            out.append(',');
        }
        first = false;
    }

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
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
                                .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
