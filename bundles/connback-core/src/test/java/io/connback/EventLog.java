package io.connback;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records a Connback's events as short strings ({@code connect:1}, {@code close:false}, {@code offline},
 * {@code reconnect}, {@code error:ConnectException}, {@code end}) and fails the test if two are ever delivered
 * concurrently or any arrives after {@code end}.
 */
final class EventLog implements ConnbackListener<FakeConnector.Client> {

    private final List<String> events = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();
    private final AtomicInteger inside = new AtomicInteger();
    private volatile String violation;
    private boolean endSeen;

    @Override
    public void onConnect(FakeConnector.Client client) {
        record("connect:" + client.id(), null);
    }

    @Override
    public void onReconnect() {
        record("reconnect", null);
    }

    @Override
    public void onClose(boolean hasError) {
        record("close:" + hasError, null);
    }

    @Override
    public void onOffline() {
        record("offline", null);
    }

    @Override
    public void onError(Throwable error) {
        record("error:" + error.getClass().getSimpleName(), error);
    }

    @Override
    public void onEnd() {
        record("end", null);
    }

    private void record(String event, Throwable error) {
        if (inside.incrementAndGet() != 1) {
            violation = "concurrent delivery of " + event;
        }
        synchronized (this) {
            if (endSeen && !event.equals("reconnect")) {
                violation = "event after end: " + event;
            }
            endSeen = event.equals("end") || (endSeen && !event.equals("reconnect"));
            events.add(event);
            if (error != null) {
                errors.add(error);
            }
        }
        inside.decrementAndGet();
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    synchronized List<Throwable> errors() {
        return List.copyOf(errors);
    }

    synchronized long count(String event) {
        return events.stream().filter(event::equals).count();
    }

    synchronized void clear() {
        events.clear();
        errors.clear();
    }

    /** Fails if two events were ever delivered concurrently or an event followed end. */
    void assertNoViolation() {
        if (violation != null) {
            throw new AssertionError(violation);
        }
    }
}
