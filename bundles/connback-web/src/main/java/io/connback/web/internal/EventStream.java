package io.connback.web.internal;

import jakarta.servlet.AsyncContext;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The Server-Sent Events clients of {@code /connback/api/events} and the one thread that writes to them.
 *
 * <p>{@link #publish} only queues (it is called on the links' event threads, which must not wait for a client); the
 * thread {@value #THREAD_NAME} takes the queue in order and writes each event to every client. The queue is bounded:
 * when it is full, the events queued are dropped and the clients get a {@code resync} event, upon which the page reads
 * the links again. A client whose write fails is gone (closed tab, network): it is dropped. A comment line every
 * {@link #KEEPALIVE} keeps idle connections open through proxies and finds the clients that left. A client that stops
 * reading stalls the writes until Jetty's idle timeout fails it; that is acceptable for a page on a gateway's loopback.
 */
final class EventStream implements AutoCloseable {

    static final String THREAD_NAME = "connback-web-events";
    static final Duration KEEPALIVE = Duration.ofSeconds(15);
    /** How long a browser waits before it reconnects a lost stream, told to it in the stream's first bytes. */
    static final Duration RETRY = Duration.ofSeconds(2);
    private static final int QUEUE_CAPACITY = 4096;
    private static final String RESYNC = "event: resync\ndata: {}\n\n";
    private static final Logger LOG = System.getLogger(EventStream.class.getName());

    private final BlockingQueue<String> pending = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final List<AsyncContext> clients = new CopyOnWriteArrayList<>();
    private final Thread writer = new Thread(this::writeEvents, THREAD_NAME);
    private volatile boolean closed;

    EventStream() {
        writer.setDaemon(true);
    }

    void start() {
        writer.start();
    }

    /**
     * Queues an event for every client.
     *
     * @param event the event's name
     * @param data its data, one line of JSON
     */
    void publish(String event, String data) {
        if (!pending.offer("event: " + event + "\ndata: " + data + "\n\n")) {
            pending.clear();
            pending.offer(RESYNC);
        }
    }

    /**
     * Adds a client whose response is started, asynchronous, with its headers set: it gets the events queued from now.
     *
     * @param client the client's asynchronous context
     * @throws IOException if the first bytes cannot be written
     */
    void add(AsyncContext client) throws IOException {
        if (closed) {
            client.complete();
            return;
        }
        OutputStream out = client.getResponse().getOutputStream();
        // the retry delay and a first comment: the browser sees the stream open now (EventSource.onopen)
        out.write(("retry: " + RETRY.toMillis() + "\n: connback\n\n").getBytes(StandardCharsets.UTF_8));
        client.getResponse().flushBuffer();
        clients.add(client);
        if (closed) {
            drop(client); // closed meanwhile: close() may have missed it
        }
    }

    int clientCount() {
        return clients.size();
    }

    private void writeEvents() {
        try {
            while (!closed) {
                String event = pending.poll(KEEPALIVE.toMillis(), TimeUnit.MILLISECONDS);
                writeToAll(event == null ? ": keepalive\n\n" : event);
            }
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeToAll(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (AsyncContext client : clients) {
            try {
                OutputStream out = client.getResponse().getOutputStream();
                out.write(bytes);
                client.getResponse().flushBuffer();
            } catch (IOException | IllegalStateException gone) {
                LOG.log(Level.DEBUG, () -> "event stream client gone: " + gone);
                drop(client);
            }
        }
    }

    private void drop(AsyncContext client) {
        if (clients.remove(client)) {
            try {
                client.complete();
            } catch (IllegalStateException alreadyCompleted) {
                LOG.log(Level.DEBUG, "event stream client already completed");
            }
        }
    }

    /** Stops the writer and ends every client's response; the browsers reconnect to the next stream. */
    @Override
    public void close() {
        closed = true;
        writer.interrupt();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clients.forEach(this::drop);
    }
}
