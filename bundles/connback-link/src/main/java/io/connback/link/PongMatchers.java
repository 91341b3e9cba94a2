package io.connback.link;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

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
            String regex = spec.substring(REGEX.length());
            if (regex.isEmpty()) {
                throw new IllegalArgumentException("empty regular expression (write any to count every byte)");
            }
            try {
                return PongMatcher.regex(Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        "bad regular expression: " + e.getDescription() + " near index " + e.getIndex());
            }
        }
        if (spec.startsWith(Frames.HEX) || spec.startsWith(Frames.TEXT)) {
            return PongMatcher.prefix(Frames.bytes(spec));
        }
        throw new IllegalArgumentException("expected any, regex:<expression>, hex:<prefix> or text:<prefix>");
    }

    static final class Regex implements PongMatcher {
        private final Pattern pattern;

        Regex(Pattern pattern) {
            this.pattern = Objects.requireNonNull(pattern, "pattern");
        }

        @Override
        public boolean matches(ByteBuffer frame) {
            byte[] bytes = new byte[frame.remaining()];
            frame.get(frame.position(), bytes);
            return pattern.matcher(new String(bytes, StandardCharsets.ISO_8859_1)).find();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Regex r && pattern.pattern().equals(r.pattern.pattern())
                    && pattern.flags() == r.pattern.flags();
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
