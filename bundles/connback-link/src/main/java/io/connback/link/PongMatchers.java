package io.connback.link;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The standard {@link PongMatcher}s, with value equality and their configuration syntax as {@code toString()}. */
final class PongMatchers {

    static final PongMatcher ANY = new PongMatcher() {
        @Override
        public boolean matches(ByteBuffer frame) {
            return true;
        }

        @Override
        public String toString() {
            return "any";
        }
    };

    private static final String REGEX = "regex:";

    private PongMatchers() {}

    /** Parses the syntax of {@link PongMatcher}; the exception says only what is wrong. */
    static PongMatcher parse(String spec) {
        if (spec == null) {
            throw new IllegalArgumentException("no value");
        }
        if (spec.equals("any")) {
            return ANY;
        }
        if (spec.startsWith(REGEX)) {
            return PongMatcher.regex(spec.substring(REGEX.length()));
        }
        if (spec.startsWith(Frames.HEX) || spec.startsWith(Frames.TEXT)) {
            return PongMatcher.prefix(Frames.bytes(spec));
        }
        throw new IllegalArgumentException("expected any, regex:<expression>, hex:<prefix> or text:<prefix>");
    }

    /**
     * A regular expression run by RE2/J: in time linear in the frame's length, whatever the expression, so that no
     * pattern can spin on a reader thread (Java's backtracking engine took 4.3 s for {@code (.*a){12}$} on a
     * 29-byte frame).
     */
    static final class Regex implements PongMatcher {
        private final Pattern pattern;

        Regex(String expression) {
            if (expression.isEmpty()) {
                throw new IllegalArgumentException("empty regular expression (write any to count every byte)");
            }
            try {
                this.pattern = Pattern.compile(expression);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("bad regular expression: " + e.getDescription()
                        + " (RE2 syntax: no backreferences, no lookaround)", e);
            }
        }

        @Override
        public boolean matches(ByteBuffer frame) {
            byte[] bytes = new byte[frame.remaining()];
            frame.get(frame.position(), bytes);
            return pattern.matcher(new String(bytes, StandardCharsets.ISO_8859_1)).find();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Regex r && pattern.pattern().equals(r.pattern.pattern());
        }

        @Override
        public int hashCode() {
            return pattern.pattern().hashCode();
        }

        @Override
        public String toString() {
            return REGEX + pattern.pattern();
        }
    }

    static final class Prefix implements PongMatcher {
        private final byte[] prefix;

        Prefix(byte[] prefix) {
            this.prefix = prefix;
        }

        @Override
        public boolean matches(ByteBuffer frame) {
            if (frame.remaining() < prefix.length) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (frame.get(frame.position() + i) != prefix[i]) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Prefix p && Arrays.equals(prefix, p.prefix);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(prefix);
        }

        @Override
        public String toString() {
            return Frames.format(prefix);
        }
    }
}
