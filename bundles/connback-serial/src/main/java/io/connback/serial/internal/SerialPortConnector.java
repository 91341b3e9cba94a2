package io.connback.serial.internal;

import com.fazecast.jSerialComm.SerialPort;
import com.fazecast.jSerialComm.SerialPortInvalidPortException;
import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.Connector;
import io.connback.Subscription;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.serial.FlowControl;
import io.connback.serial.PortSettings;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link Connector} of serial {@link Link}s: resolves the port again at every attempt, opens it on the shared
 * opener pool, and watches for the device while a Connback waits for it.
 *
 * <p>Hot plug: when an attempt finds no device, or an open link loses its device, the connector watches the folder
 * where the device node will appear and calls {@link Connback#retryNow()} when it does, so the next attempt does not
 * wait for the backoff delay. The watch ends when the link connects, the Connback ends, or the connector is closed: a
 * gateway closes the connector it replaces (a changed configuration, an updated bundle) while the Connback lives on
 * with its successor.
 */
public final class SerialPortConnector implements Connector<Link>, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SerialPortConnector.class.getName());
    private static final int READ_TIMEOUT_MS = 100;
    private static final int WRITE_TIMEOUT_MS = 2000;
    /** Longer than a read timeout: the reader closes the port after its current read. */
    private static final Duration PORT_CLOSE_WAIT = Duration.ofMillis(500);
    private static final int MAX_REARMS = 3;

    private final String label;
    private final PortLocator locator;
    private final PortSettings settings;
    private final LinkSettings linkSettings;
    /** Per Connback served: its hot-plug watch (while waiting for the device) and its end hook. */
    private final Map<Connback<Link>, Served> served = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * Creates the connector.
     *
     * @param label the link's name, as another link that finds the port busy names it
     * @param locator finds the device node
     * @param settings line settings
     * @param linkSettings framing, heartbeat frames and limits
     */
    public SerialPortConnector(String label, PortLocator locator, PortSettings settings, LinkSettings linkSettings) {
        this.label = label;
        this.locator = locator;
        this.settings = settings;
        this.linkSettings = linkSettings;
    }

    @Override
    public CompletionStage<Link> connect(Connback<Link> connback, CancellationToken token) {
        Served state = served.computeIfAbsent(connback, this::serve);
        CompletableFuture<Link> connected = new CompletableFuture<>();
        SharedSerialThreads.OPENER.execute(() -> {
            if (token.isCancellationRequested()) {
                connected.completeExceptionally(new IOException("attempt cancelled before the port was opened"));
                return;
            }
            try {
                state.awaitPreviousPortClosed();
                SerialLink link = open(connback, state);
                state.connected(link);
                if (!connected.complete(link)) {
                    link.close();
                }
            } catch (NoSuchFileException e) {
                // failed first: a device that the watch finds at its start asks the Connback to retry, which only
                // a Connback that knows the attempt failed (it waits out its backoff) does
                connected.completeExceptionally(e);
                state.watch();
            } catch (IOException | RuntimeException e) {
                state.presentButUnusable();
                connected.completeExceptionally(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                connected.completeExceptionally(e);
            }
        });
        return connected;
    }

    @Override
    public void close(Link client, boolean force) {
        // both ways close at once: a serial line has no shutdown handshake, and queued writes are dropped
        ((SerialLink) client).close();
    }

    @Override
    public void ping(Link client) {
        ((SerialLink) client).sendPing();
    }

    /**
     * Returns {@code true}: connect, close and ping return at once (the port opens on the opener pool, the link closes by a flag that its reader sees), so Connback calls them on its own
     * threads, without a hand-off per keepalive ping.
     *
     * @return {@code true}
     */
    @Override
    public boolean isNonBlocking() {
        return true;
    }

    @Override
    public String toString() {
        return "SerialConnector[" + locator + " " + settings + "]";
    }

    private SerialLink open(Connback<Link> connback, Served state) throws IOException {
        Path path = locator.resolve();
        SerialPort port;
        try {
            port = SerialPort.getCommPort(path.toString());
        } catch (SerialPortInvalidPortException e) {
            throw new NoSuchFileException(path.toString(), null, "not a serial port: " + e.getMessage());
        }
        port.setComPortParameters(settings.baudRate(), settings.dataBits(), stopBits(), parity());
        port.setFlowControl(flowControl());
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING,
                READ_TIMEOUT_MS, WRITE_TIMEOUT_MS);
        if (!port.openPort((int) settings.openDelay().toMillis())) {
            if (!locator.isPresent()) {
                throw new NoSuchFileException(path.toString(), null, "serial device gone while opening");
            }
            Optional<String> holder = OpenPorts.SHARED.holder(path);
            throw new IOException("cannot open " + path + " (" + locator + "): " + holder
                    .map(other -> "held by link " + other).orElse("jSerialComm error " + port.getLastErrorCode()
                            + " at " + port.getLastErrorLocation() + " (busy, or no permission?)"));
        }
        OpenPorts.SHARED.opened(path, label, port);
        String remote = path.toString().equals(locator.toString()) ? path.toString() : path + " (" + locator + ")";
        SerialLink link = new SerialLink(remote, linkSettings, connback, port, SharedSerialThreads.WRITER,
                state::watch);
        link.start();
        LOG.log(Level.DEBUG, () -> "opened " + remote + " at " + settings);
        return link;
    }

    private Served serve(Connback<Link> connback) {
        Served state = new Served(connback);
        state.endHook = connback.onEnd(() -> release(connback, state));
        if (closed) { // an attempt that raced the close: nothing of it may outlive the connector
            state.end();
        }
        return state;
    }

    private void release(Connback<Link> connback, Served state) {
        served.remove(connback, state);
        state.end();
        state.endHook.close();
    }

    /**
     * Stops serving every Connback: their hot-plug watches and end hooks go. Links already open are not touched;
     * their Connbacks close them. Called by the gateway when this connector is replaced or its bundle stops, so that
     * no watcher and no hook of it outlives it.
     */
    @Override
    public void close() {
        closed = true;
        served.forEach(this::release);
    }

    private int stopBits() {
        return switch (settings.stopBits()) {
            case ONE -> SerialPort.ONE_STOP_BIT;
            case ONE_POINT_FIVE -> SerialPort.ONE_POINT_FIVE_STOP_BITS;
            case TWO -> SerialPort.TWO_STOP_BITS;
        };
    }

    private int parity() {
        return switch (settings.parity()) {
            case NONE -> SerialPort.NO_PARITY;
            case ODD -> SerialPort.ODD_PARITY;
            case EVEN -> SerialPort.EVEN_PARITY;
            case MARK -> SerialPort.MARK_PARITY;
            case SPACE -> SerialPort.SPACE_PARITY;
        };
    }

    private int flowControl() {
        FlowControl flow = settings.flowControl();
        return switch (flow) {
            case NONE -> SerialPort.FLOW_CONTROL_DISABLED;
            case RTS_CTS -> SerialPort.FLOW_CONTROL_RTS_ENABLED | SerialPort.FLOW_CONTROL_CTS_ENABLED;
            case XON_XOFF -> SerialPort.FLOW_CONTROL_XONXOFF_IN_ENABLED | SerialPort.FLOW_CONTROL_XONXOFF_OUT_ENABLED;
        };
    }

    /** What the connector keeps for one Connback; its methods are safe from any thread. */
    private final class Served {
        private final Connback<Link> connback;
        private HotPlugWatcher.Watch watch; // guarded by this
        private int rearms; // guarded by this: how often the watch was re-armed since it started
        private SerialLink lastLink; // guarded by this
        private boolean ended; // guarded by this
        volatile Subscription endHook;

        Served(Connback<Link> connback) {
            this.connback = connback;
        }

        /**
         * Watches for the device to appear, if not watching yet and the Connback has not ended: an attempt or a reader
         * may find the device gone after the end, and a watch started then would never stop.
         */
        synchronized void watch() {
            if (watch == null && !ended) {
                rearms = 0;
                watch = SharedSerialThreads.HOT_PLUG.watch(locator.watchFolder(), locator::isPresent,
                        connback::retryNow);
            }
        }

        synchronized void unwatch() {
            if (watch != null) {
                watch.close();
                watch = null;
            }
        }

        /** The device is open: no more watching; the link's port must close before the device opens again. */
        synchronized void connected(SerialLink link) {
            unwatch();
            lastLink = link;
        }

        /**
         * An attempt found the device but could not open it (permissions not set yet, busy): if a watch brought it
         * here, watch for the next change of the device, a few times, instead of waiting out the backoff.
         */
        synchronized void presentButUnusable() {
            if (watch != null && rearms < MAX_REARMS) {
                rearms++;
                watch.expectAppearance();
            }
        }

        /** Waits (on the opener thread) until the port of the previous link is closed by its reader. */
        void awaitPreviousPortClosed() throws InterruptedException {
            SerialLink previous;
            synchronized (this) {
                previous = lastLink;
            }
            if (previous != null && !previous.awaitPortClosed(PORT_CLOSE_WAIT)) {
                LOG.log(Level.WARNING, () -> previous + ": its port is still open after " + PORT_CLOSE_WAIT.toMillis()
                        + " ms; opening the device anyway");
            }
        }

        /** The Connback has ended: stops watching for good. */
        synchronized void end() {
            ended = true;
            unwatch();
        }
    }
}
