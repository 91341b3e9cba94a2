package io.connback.link;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Records what a decoder or a link delivers: frames as ISO-8859-1 strings, and framing errors. */
final class Recorder implements FrameListener {
    final List<String> frames = new ArrayList<>();
    final List<FramingException> errors = new ArrayList<>();

    @Override
    public void onFrame(ByteBuffer frame) {
        frames.add(text(frame));
    }

    @Override
    public void onFramingError(FramingException error) {
        errors.add(error);
    }

    static String text(ByteBuffer frame) {
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
