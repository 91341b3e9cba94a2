package io.connback.folders.internal.conf;

import io.connback.config.ConfigValues;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys and values of a {@code .cfg} file, read from UTF-8 in the syntax of {@link java.util.Properties#load}:
 * comments ({@code #}, {@code !}), continuation lines, {@code =}, {@code :} or white space between key and value,
 * escapes ({@code \t \n \r \f}, {@code \\uXXXX}, any other escaped character stands for itself). Each key and value
 * is the one {@code Properties} would give for the same text, except that the file is UTF-8, not ISO-8859-1, and that
 * a byte order mark at its start is skipped. Unlike {@code Properties}, it keeps the line of each entry, so that
 * duplicate keys can be told with their lines, and it refuses what Configuration Admin cannot take (an empty key).
 */
final class CfgFile {

    /**
     * One key and value.
     *
     * @param key the key, escapes resolved
     * @param value the value, escapes resolved
     * @param line the line (from 1) where the entry starts
     */
    record Entry(String key, String value, int line) {}

    /**
     * A key set again.
     *
     * @param key the key
     * @param line the line of this setting
     * @param earlierLines the lines that set it before, in file order
     */
    record Duplicate(String key, int line, List<Integer> earlierLines) {}

    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private final List<Entry> entries;

    private CfgFile(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads a file's bytes.
     *
     * @param bytes the content
     * @return its entries
     * @throws CfgSyntaxException with the line, if the bytes are not UTF-8, an escape is malformed or a key is empty
     */
    static CfgFile parse(byte[] bytes) throws CfgSyntaxException {
        char[] text = decode(bytes);
        int start = text.length > 0 && text[0] == BYTE_ORDER_MARK ? 1 : 0;
        LineReader reader = new LineReader(text, start);
        List<Entry> entries = new ArrayList<>();
        for (LogicalLine line = reader.next(); line != null; line = reader.next()) {
            entries.add(line.entry());
        }
        return new CfgFile(entries);
    }

    /**
     * Every entry, in file order, duplicates included.
     *
     * @return the entries
     */
    List<Entry> entries() {
        return entries;
    }

    /**
     * The properties the file sets: for a key set more than once, the last value counts.
     *
     * @return the keys and values, keys in the order they first appear
     */
    Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        for (Entry entry : entries) {
            properties.put(entry.key(), entry.value());
        }
        return properties;
    }

    /**
     * Each setting of a key that an earlier line set already.
     *
     * @return the duplicates, in file order
     */
    List<Duplicate> duplicates() {
        Map<String, List<Integer>> lines = new LinkedHashMap<>();
        List<Duplicate> duplicates = new ArrayList<>();
        for (Entry entry : entries) {
            List<Integer> earlier = lines.computeIfAbsent(entry.key(), key -> new ArrayList<>());
            if (!earlier.isEmpty()) {
                duplicates.add(new Duplicate(entry.key(), entry.line(), List.copyOf(earlier)));
            }
            earlier.add(entry.line());
        }
        return duplicates;
    }

    private static char[] decode(byte[] bytes) throws CfgSyntaxException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never has fewer bytes than chars
        CoderResult result = decoder.decode(in, out, true);
        if (result.isUnderflow()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            byte[] bad = Arrays.copyOfRange(bytes, offset, Math.min(bytes.length, offset + result.length()));
            throw new CfgSyntaxException(lineAt(bytes, offset), (bad.length == 1 ? "byte " : "bytes ")
                    + HexFormat.ofDelimiter(" ").withPrefix("0x").formatHex(bad)
                    + " at byte " + offset + " of the file " + (bad.length == 1 ? "is" : "are")
                    + " not UTF-8 (save the file as UTF-8)");
        }
        if (!result.isUnderflow()) {
            // cannot happen: the output holds as many chars as there are bytes
            try {
                result.throwException();
            } catch (CharacterCodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    /** The line (from 1) of a byte offset; a line ends at LF, CR or CR LF. */
    private static int lineAt(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\r' || bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) {
                line++;
            }
        }
        return line;
    }

    /**
     * A logical line: natural lines joined at their continuation backslashes, leading white space skipped, as the
     * JDK's {@code Properties.LineReader} makes them; with the line of each character.
     */
    private static final class LogicalLine {
        private final char[] chars;
        private final int[] lines;
        private final int length;

        LogicalLine(char[] chars, int[] lines, int length) {
            this.chars = chars;
            this.lines = lines;
            this.length = length;
        }

        /** Splits the key from the value as {@code Properties.load0} does, and resolves their escapes. */
        Entry entry() throws CfgSyntaxException {
            int keyLength = 0;
            int valueStart = length;
            boolean hasSeparator = false;
            boolean precedingBackslash = false;
            while (keyLength < length) {
                char c = chars[keyLength];
                if ((c == '=' || c == ':') && !precedingBackslash) {
                    valueStart = keyLength + 1;
                    hasSeparator = true;
                    break;
                } else if (isWhiteSpace(c) && !precedingBackslash) {
                    valueStart = keyLength + 1;
                    break;
                }
                precedingBackslash = c == '\\' && !precedingBackslash;
                keyLength++;
            }
            while (valueStart < length) {
                char c = chars[valueStart];
                if (!isWhiteSpace(c)) {
                    if (!hasSeparator && (c == '=' || c == ':')) {
                        hasSeparator = true;
                    } else {
                        break;
                    }
                }
                valueStart++;
            }
            String key = unescape(0, keyLength);
            if (key.isEmpty()) {
                throw new CfgSyntaxException(lines[0], "a value without a key");
            }
            return new Entry(key, unescape(valueStart, length), lines[0]);
        }

        /** Resolves the escapes of a range, as {@code Properties.loadConvert} does. */
        private String unescape(int from, int to) throws CfgSyntaxException {
            StringBuilder out = new StringBuilder(to - from);
            int i = from;
            while (i < to) {
                char c = chars[i++];
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                // a logical line never ends with an unescaped backslash: one follows
                char escaped = chars[i++];
                switch (escaped) {
                    case 'u' -> {
                        if (i + 4 > to || !isHex(i, i + 4)) {
                            String written = new String(chars, i - 2, Math.min(6, to - i + 2));
                            throw new CfgSyntaxException(lines[i - 2], "malformed \\uXXXX escape "
                                    + ConfigValues.quote(written)
                                    + ": \\u takes 4 hexadecimal digits (write \\\\ for a backslash)");
                        }
                        out.append((char) Integer.parseInt(new String(chars, i, 4), 16));
                        i += 4;
                    }
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'n' -> out.append('\n');
                    case 'f' -> out.append('\f');
                    default -> out.append(escaped);
                }
            }
            return out.toString();
        }

        private boolean isHex(int from, int to) {
            for (int i = from; i < to; i++) {
                char c = chars[i];
                if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Cuts the text into logical lines, as {@code Properties.LineReader.readLine} does. */
    private static final class LineReader {
        private final char[] in;
        private int offset;
        private int line = 1;

        LineReader(char[] in, int offset) {
            this.in = in;
            this.offset = offset;
        }

        /** The next logical line, or {@code null} at the end. */
        LogicalLine next() {
            char[] chars = new char[64];
            int[] lines = new int[64];
            int length = 0;
            boolean skipWhiteSpace = true;
            boolean appendedLineBegin = false;
            boolean precedingBackslash = false;
            while (true) {
                if (offset >= in.length) {
                    if (length == 0) {
                        return null;
                    }
                    return new LogicalLine(chars, lines, precedingBackslash ? length - 1 : length);
                }
                char c = in[offset++];
                if (skipWhiteSpace) {
                    if (isWhiteSpace(c)) {
                        continue;
                    }
                    if (!appendedLineBegin && isLineEnd(c)) {
                        countLineEnd();
                        continue;
                    }
                    skipWhiteSpace = false;
                    appendedLineBegin = false;
                }
                if (length == 0 && (c == '#' || c == '!')) {
                    skipComment();
                    skipWhiteSpace = true;
                    continue;
                }
                if (!isLineEnd(c)) {
                    if (length == chars.length) {
                        chars = Arrays.copyOf(chars, length * 2);
                        lines = Arrays.copyOf(lines, length * 2);
                    }
                    chars[length] = c;
                    lines[length++] = line;
                    precedingBackslash = c == '\\' && !precedingBackslash;
                    continue;
                }
                countLineEnd();
                if (length == 0) {
                    skipWhiteSpace = true;
                    continue;
                }
                if (offset >= in.length) {
                    return new LogicalLine(chars, lines, precedingBackslash ? length - 1 : length);
                }
                if (!precedingBackslash) {
                    return new LogicalLine(chars, lines, length);
                }
                // a continuation: the backslash goes, the next line's leading white space too
                length--;
                skipWhiteSpace = true;
                appendedLineBegin = true;
                precedingBackslash = false;
                if (c == '\r' && in[offset] == '\n') {
                    offset++;
                }
            }
        }

        /** Skips a comment up to its line end, included; a comment ends at its line even after a backslash. */
        private void skipComment() {
            while (offset < in.length) {
                char c = in[offset++];
                if (isLineEnd(c)) {
                    countLineEnd();
                    return;
                }
            }
        }

        /** Counts the line end just read, {@code in[offset - 1]}: the LF of a CR LF is not a line of its own. */
        private void countLineEnd() {
            int end = offset - 1;
            if (in[end] == '\r' || end == 0 || in[end - 1] != '\r') {
                line++;
            }
        }
    }

    private static boolean isWhiteSpace(char c) {
        return c == ' ' || c == '\t' || c == '\f';
    }

    private static boolean isLineEnd(char c) {
        return c == '\n' || c == '\r';
    }
}
