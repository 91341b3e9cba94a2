package io.connback.mqtt.internal;

import io.connback.ConnbackScheduler;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.TimerPingSender;

/**
 * The keepalive clock of one connection: decides when Paho checks whether a PINGREQ is due, on Connback's scheduler
 * instead of a timer thread per client, and feeds each PINGRESP to Connback as a heartbeat.
 *
 * <p>Why it is built this way:
 * <ul>
 *   <li>Paho 1.2.5 has no PINGRESP callback and no "send a ping" call. Its one public way in is
 *       {@link MqttAsyncClient#checkPing}: Paho sends a PINGREQ if nothing was sent for a keepalive (the broker needs
 *       that) or nothing received for one, and completes the returned token with the PINGRESP.
 *   <li>Paho wakes its check only when the next ping may be due for want of <em>outbound</em> traffic, so alone it
 *       may ping a silent broker up to two keepalives after its last sign of life. This clock also wakes Paho one
 *       keepalive after the last inbound sign of life, as Connback's keepalive wants, which then closes a connection
 *       that fed no heartbeat for 1.4 keepalives.
 *   <li>Checks run one at a time and never while a ping waits for its answer. Paho treats a check that finds a ping
 *       outstanding after a keepalive of inbound silence as a dead broker; a second check right after a ping went out
 *       would find just that and close a healthy connection. Dead brokers are Connback's to detect.
 *   <li>Paho's own ping senders add a timer at each check and never cancel one; this keeps a single timer.
 *   <li>It extends {@link TimerPingSender} for its public constructor and overrides every method that would start
 *       its timer thread: the ping sender interface names a Paho class that the Paho bundle does not export.
 * </ul>
 * A rare race inside Paho remains: a PINGRESP that arrives before Paho counted its PINGREQ as sent leaves Paho
 * counting one ping outstanding for good, and Paho then closes the connection at the next check that follows a
 * keepalive of inbound silence. Connback reconnects it like any lost connection.
 */
final class PahoPingTimer extends TimerPingSender {

    private final ConnbackScheduler scheduler;
    private final long keepaliveNanos;
    private final IMqttActionListener pongListener = new IMqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
            answered(true);
        }

        @Override
        public void onFailure(IMqttToken token, Throwable error) {
            answered(false); // the connection is going down
        }
    };

    // guarded by this
    private PahoLink link;
    private MqttAsyncClient client;
    private ConnbackScheduler.Cancellable next;
    private boolean running;
    private boolean awaitingPong;
    private long lastInboundNanos;
    private long pahoDueNanos;

    PahoPingTimer(ConnbackScheduler scheduler, int keepaliveSeconds) {
        this.scheduler = scheduler;
        this.keepaliveNanos = TimeUnit.SECONDS.toNanos(keepaliveSeconds);
    }

    /** Names the connection and client it serves; before Paho starts it. */
    synchronized void serve(PahoLink served, MqttAsyncClient servedClient) {
        this.link = served;
        this.client = servedClient;
    }

    /** A sign of life from the broker: the next check is due one keepalive from now. */
    synchronized void inbound() {
        lastInboundNanos = scheduler.nanoTime();
        reschedule();
    }

    /** Connback found no heartbeat for a keepalive: check now, unless a ping already waits for its answer. */
    synchronized void pingNow() {
        if (running && !awaitingPong) {
            pahoDueNanos = scheduler.nanoTime();
            reschedule();
        }
    }

    /** Called by Paho once connected. */
    @Override
    public void start() {
        synchronized (this) {
            running = keepaliveNanos > 0;
            long now = scheduler.nanoTime();
            lastInboundNanos = now;
            pahoDueNanos = now + keepaliveNanos;
            reschedule();
        }
    }

    /** Called by Paho when the connection shuts down, and by the link when it closes. */
    @Override
    public synchronized void stop() {
        running = false;
        reschedule();
    }

    /** Called by Paho after each check, with the time until a ping may be due for want of outbound traffic. */
    @Override
    public synchronized void schedule(long delayInMilliseconds) {
        pahoDueNanos = scheduler.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayInMilliseconds);
        reschedule();
    }

    /** Sets the one timer to the earlier of Paho's time and one keepalive after the last sign of life. Under lock. */
    private void reschedule() {
        if (next != null) {
            next.cancel();
            next = null;
        }
        if (!running || awaitingPong) {
            return; // the answer, or its absence, decides what comes next
        }
        long now = scheduler.nanoTime();
        long delay = pahoDueNanos - now;
        long inboundDue = lastInboundNanos + keepaliveNanos - now;
        if (inboundDue > 0) {
            delay = Math.min(delay, inboundDue);
        }
        next = scheduler.schedule(this::check, Math.max(0, delay));
    }

    private void check() {
        MqttAsyncClient checked;
        synchronized (this) {
            if (!running || awaitingPong) {
                return;
            }
            awaitingPong = true; // before the call: the answer may come before checkPing returns
            checked = client;
        }
        IMqttToken ping;
        try {
            ping = checked.checkPing(null, pongListener);
        } catch (MqttException e) {
            synchronized (this) {
                awaitingPong = false;
            }
            link.connectionLost(e);
            return;
        }
        if (ping == null) {
            synchronized (this) { // none was due: Paho saw traffic that this clock did not
                awaitingPong = false;
                reschedule();
            }
        }
    }

    private void answered(boolean pong) {
        PahoLink served;
        synchronized (this) {
            awaitingPong = false;
            served = link;
            if (!pong) {
                reschedule();
                return;
            }
        }
        served.heartbeat(); // calls inbound(), which reschedules
    }
}
