package io.connback.link;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

/**
 * Reads and writes byte strings in the configuration syntax used for ping frames, delimiters and pong prefixes.
 *
 * <ul>
 *   <li>{@code hex:01 03 00 00 00 01 84 0A}: hexadecimal bytes, upper or lower case; groups of digits may be separated
 *       by spaces or tabs, each group holding whole bytes ({@code hex:0103 0000} is fine, {@code hex:010 3} is not).
 *   <li>{@code text:AT\r\n}: characters taken literally, one byte each (ISO-8859-1), with the escapes {@code \r},
 *       {@code \n}, {@code \t}, {@code \\} and {@code \xNN} (two hex digits).
 * </ul>
 * A byte string is never empty.
 */
public final class Frames {

    /** The prefix of the hexadecimal form. */
    public static final String HEX = "hex:";
    /** The prefix of the text form. */
    public static final String TEXT = "text:";

    private static final HexFormat SPACED_HEX = HexFormat.ofDelimiter(" ").withUpperCase();

    private Frames() {}

    /**
     * Parses a byte string in either form.
     *
     * @param spec {@code hex:...} or {@code text:...}
     * @return the bytes, never empty
     * @throws IllegalArgumentException naming the value and what is wrong with it
     */
    public static byte[] parse(String spec) {
        try {
            return bytes(spec);
        } catch (IllegalArgumentException e) {
            throw invalid("frame", spec, e);
        }
    }

    /**
     * Writes bytes in the syntax {@link #parse(String)} reads: the text form if every byte is printable ASCII, CR, LF
     * or TAB, the hexadecimal form otherwise.
     *
     * @param bytes the bytes
     * @return {@code text:...} or {@code hex:...}
     */
    public static String format(byte[] bytes) {
        StringBuilder text = new StringBuilder(TEXT.length() + bytes.length);
        text.append(TEXT);
        for (byte b : bytes) {
            switch (b) {
                case '\r' -> text.append("\\r");
                case '\n' -> text.append("\\n");
                case '\t' -> text.append("\\t");
                case '\\' -> text.append("\\\\");
                default -> {
                    if (b < 0x20 || b > 0x7E) {
                        return HEX + SPACED_HEX.formatHex(bytes);
                    }
                    text.append((char) b);
                }
            }
        }
        return text.toString();
    }

    /**
     * Parses a byte string in either form.
     *
     * @param spec {@code hex:...} or {@code text:...}
     * @return the bytes, never empty
     * @throws IllegalArgumentException saying only what is wrong, for the caller to name the value
     */
    static byte[] bytes(String spec) {
        if (spec == null) {
            throw new IllegalArgumentException("no value");
        }
        if (spec.startsWith(HEX)) {
            return nonEmpty(hex(spec.substring(HEX.length())));
        }
        if (spec.startsWith(TEXT)) {
            return text(spec.substring(TEXT.length()));
        }
        throw new IllegalArgumentException("expected hex:<bytes> or text:<characters>");
    }

    /**
     * Parses the text form without its prefix.
     *
     * @param text the characters, with escapes
     * @return the bytes, never empty
     * @throws IllegalArgumentException saying only what is wrong, for the caller to name the value
     */
    static byte[] text(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                if (c > 0xFF) {
                    throw new IllegalArgumentException(
                            "character '" + c + "' is not one byte; write its bytes as \\xNN");
                }
                out.write(c);
                continue;
            }
            if (++i == text.length()) {
                throw new IllegalArgumentException("a lone \\ at the end (write \\\\ for a backslash)");
            }
            char escaped = text.charAt(i);
            switch (escaped) {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case '\\' -> out.write('\\');
                case 'x' -> {
                    String digits = text.substring(i + 1, Math.min(i + 3, text.length()));
                    if (digits.length() != 2 || !isHexDigit(digits.charAt(0)) || !isHexDigit(digits.charAt(1))) {
                        throw new IllegalArgumentException("\\x needs two hex digits, not '" + digits + "'");
                    }
                    out.write(HexFormat.fromHexDigits(digits));
                    i += 2;
                }
                default -> throw new IllegalArgumentException(
                        "unknown escape \\" + escaped + " (use \\r \\n \\t \\\\ or \\xNN)");
            }
        }
        return nonEmpty(out.toByteArray());
    }

    /**
     * Wraps a reason in an exception that names the kind of value and the value.
     *
     * @param what the kind of value, e.g. {@code framing}
     * @param spec the value
     * @param reason what is wrong with it
     * @return the exception to throw
     */
    static IllegalArgumentException invalid(String what, String spec, IllegalArgumentException reason) {
        return new IllegalArgumentException("invalid " + what + " '" + spec + "': " + reason.getMessage());
    }

    private static byte[] hex(String hex) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(hex.length() / 2);
        for (String group : hex.split("[ \t]+")) {
            for (int i = 0; i < group.length(); i++) {
                if (!isHexDigit(group.charAt(i))) {
                    throw new IllegalArgumentException("'" + group.charAt(i) + "' is not a hex digit");
                }
            }
            if (group.length() % 2 != 0) {
                throw new IllegalArgumentException(
                        "odd number of hex digits in '" + group + "' (each byte takes two)");
            }
            out.writeBytes(HexFormat.of().parseHex(group));
        }
        return out.toByteArray();
    }

    private static boolean isHexDigit(char c) {
        return c < 0x80 && Character.digit(c, 16) >= 0;
    }

    private static byte[] nonEmpty(byte[] bytes) {
        if (bytes.length == 0) {
            throw new IllegalArgumentException("empty frame");
        }
        return bytes;
    }
}
