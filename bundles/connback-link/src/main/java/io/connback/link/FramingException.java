package io.connback.link;

import java.io.IOException;

/**
 * Inbound bytes that do not fit the {@link Framing}, such as a length field announcing a frame shorter than its own
 * header. It is reported to {@link FrameListener#onFramingError(FramingException)}, not thrown: the bytes are
 * discarded and decoding resynchronizes.
 *
 * <p>It carries no stack trace: the error lies in the data, not in the code, and a stream of garbage can produce many.
 */
public class FramingException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong with the bytes
     */
    public FramingException(String message) {
        super(message);
    }

    /**
     * Records no stack trace (see the class description).
     *
     * @return this exception
     */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
