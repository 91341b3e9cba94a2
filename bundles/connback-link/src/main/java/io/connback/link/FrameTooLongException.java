package io.connback.link;

/**
 * A frame exceeded the maximum frame size. Its bytes are discarded, without being buffered, up to the next point where
 * decoding can resynchronize (the next delimiter, or the end of the frame its length field announced), so memory
 * stays bounded whatever the device sends.
 */
public final class FrameTooLongException extends FramingException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the size limit, and how decoding resynchronizes
     */
    public FrameTooLongException(String message) {
        super(message);
    }
}
