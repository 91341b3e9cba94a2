package io.connback.it;

import io.connback.osgi.ConnectionListener;
import io.connback.osgi.ManagedConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A whiteboard listener that records the events it receives, as {@code name:event} strings. */
final class RecordingListener implements ConnectionListener {

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final StringBuffer received = new StringBuffer();

    List<String> events() {
        return List.copyOf(events);
    }

    /** The bytes of every frame received so far, as text: framing {@code none} may cut a message anywhere. */
    String received() {
        return received.toString();
    }

    long count(String event) {
        return events.stream().filter(event::equals).count();
    }

    @Override
    public void onConnect(ManagedConnection connection) {
        events.add(connection.name() + ":connect");
    }

    @Override
    public void onClose(ManagedConnection connection, boolean hasError) {
        events.add(connection.name() + ":close");
    }

    @Override
    public void onEnd(ManagedConnection connection) {
        events.add(connection.name() + ":end");
    }

    @Override
    public void onFrame(ManagedConnection connection, ByteBuffer frame) {
        received.append(StandardCharsets.US_ASCII.decode(frame));
    }
}
