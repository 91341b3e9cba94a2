package io.connback.link;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Tells which inbound data proves that the device is alive, i.e. counts as a keepalive heartbeat
 * ({@link io.connback.Connback#feedHeartbeat()}). The default, {@link #any()}, counts every inbound byte: right for a
 * sensor that streams on its own, and for a meter that only speaks when asked (with a ping frame that asks). A
 * stricter matcher keeps a link whose device answers with errors, or whose line carries noise, from looking alive.
 *
 * <p>Matching frames are delivered to the frame listeners like any other. The matchers made here are linear in the
 * frame and run on the link's reader thread, so the heartbeat goes on while a frame listener is stuck. A matcher of
 * the application's own making runs on the link's delivery thread, before the frame listeners (see
 * {@link AbstractLink}); it should be quick and must not throw.
 *
 * <h2>Configuration syntax</h2>
 * {@code any}; {@code regex:<RE2 regular expression>}, see {@link #regex(String)}; or a byte string in the syntax of
 * {@link Frames}, {@code hex:01 03} or {@code text:OK}, that a frame must start with, see {@link #prefix(byte[])}.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ConsumerType
@FunctionalInterface
public interface PongMatcher {

    /**
     * Whether a frame counts as a heartbeat.
     *
     * @param frame the frame, between its position and its limit; read-only, and not to be moved (use absolute gets
     *     or a duplicate)
     * @return {@code true} if it proves the device is alive
     */
    boolean matches(ByteBuffer frame);

    /**
     * Every inbound byte counts, as soon as it is read, even before (or without) a complete frame. The default.
     *
     * @return the matcher; {@code toString()} gives {@code any}
     */
    static PongMatcher any() {
        return PongMatchers.ANY;
    }

    /**
     * A frame counts if the regular expression is found in it (anchor with {@code ^} and {@code $} to match the whole
     * frame), the frame read as ISO-8859-1 so that each byte is one character ({@code \x06} matches the byte 06).
     *
     * <p>The expression is in the syntax of <a href="https://github.com/google/re2/wiki/Syntax">RE2</a>, which Java's
     * mostly is, and runs in time linear in the frame's length whatever it is: there are no backreferences and no
     * lookaround, and no expression can spin (Java's own engine takes seconds for {@code (.*a){12}$} on a frame of
     * 29 bytes). Flags go inline, e.g. {@code (?i)ok}.
     *
     * @param expression the expression
     * @return the matcher; {@code toString()} gives {@code regex:<expression>}
     * @throws IllegalArgumentException if the expression is empty or not valid RE2 syntax, saying why
     */
    static PongMatcher regex(String expression) {
        return new PongMatchers.Regex(expression);
    }

    /**
     * A frame counts if it starts with the given bytes, e.g. a Modbus device address and function code.
     *
     * @param prefix the bytes, not empty; copied
     * @return the matcher; {@code toString()} gives the prefix in the syntax of {@link Frames}
     * @throws IllegalArgumentException if the prefix is empty
     */
    static PongMatcher prefix(byte[] prefix) {
        if (prefix.length == 0) {
            throw new IllegalArgumentException("empty prefix");
        }
        return new PongMatchers.Prefix(prefix.clone());
    }

    /**
     * Reads a matcher in the configuration syntax (see the class description).
     *
     * @param spec the configuration value
     * @return the matcher
     * @throws IllegalArgumentException naming the value and what is wrong with it, e.g. a bad regular expression
     */
    static PongMatcher parse(String spec) {
        try {
            return PongMatchers.parse(spec);
        } catch (IllegalArgumentException e) {
            throw Frames.invalid("pong matcher", spec, e);
        }
    }
}
