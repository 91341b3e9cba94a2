package io.connback.mqtt.internal;

import java.lang.System.Logger.Level;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * Shuts Paho clients down off Connback's threads: Paho's disconnect waits for its own threads to stop (up to a second,
 * its socket read timeout) and, when graceful, for in-flight acknowledgements. Two daemon threads named
 * {@code connback-mqtt-closer-N} do it for every client of the JVM, and end when idle.
 */
final class PahoCloser {

    private static final System.Logger LOG = System.getLogger(PahoCloser.class.getName());

    /** How long a graceful close waits for in-flight acknowledgements, as the TCP connector drains its writes. */
    private static final long GRACE_MILLIS = 2000;
    /** How long a graceful close waits for the DISCONNECT packet to be written. */
    private static final long DISCONNECT_WRITE_MILLIS = 1000;
    private static final int THREADS = 2;

    private static final ThreadPoolExecutor CLOSERS = closers();

    private PahoCloser() {}

    /**
     * Disconnects and closes a client, later, on a closer thread. Closing a client twice, or one that never
     * connected, is harmless.
     *
     * @param client the client
     * @param force drop the connection without the DISCONNECT packet and without waiting
     * @param beforeDisconnect runs first, on the closer thread (see {@link WriteFirstSocketFactory#abandon()})
     */
    static void close(MqttAsyncClient client, boolean force, Runnable beforeDisconnect) {
        CLOSERS.execute(() -> {
            beforeDisconnect.run();
            try {
                if (force) {
                    client.disconnectForcibly(0, 0, false);
                } else {
                    client.disconnectForcibly(GRACE_MILLIS, DISCONNECT_WRITE_MILLIS, true);
                }
            } catch (MqttException | RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "disconnecting " + client.getClientId() + " from "
                        + client.getServerURI() + ": " + e);
            }
            try {
                client.close(true);
            } catch (MqttException | RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "closing the Paho client of " + client.getClientId() + ": " + e);
            }
        });
    }

    private static ThreadPoolExecutor closers() {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, "connback-mqtt-closer-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 1, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), factory);
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
