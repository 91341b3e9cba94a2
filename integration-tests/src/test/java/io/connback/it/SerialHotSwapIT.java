package io.connback.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import io.connback.ConnectionState;
import io.connback.osgi.ManagedConnection;
import io.connback.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Dictionary;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The gateway's headline claim over a serial line, in a real Felix: a newer serial connector bundle is dropped in
 * while a device is connected, and the device reconnects through the new code within a second, under the same
 * {@link ManagedConnection}, while the application's listener keeps its subscription; no thread of the old bundle
 * revision runs on. Also an unplug and replug of the device inside the framework. The device is an emulated echo
 * device of hardware-tests on a pseudo-terminal, in a child JVM ({@link DeviceJvm}).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SerialHotSwapIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** The claim: devices reconnect through the new code in under a second. */
    private static final long SWAP_BOUND_MILLIS = 1000;
    /**
     * The longest a replug may take to connect while the backoff waits 30 s: the hot-plug watcher finds the device
     * within its debounce time (hardware-tests measure this bound, 500 ms, outside a framework).
     */
    private static final long REPLUG_BOUND_MILLIS = 1000;
    private static final String READER_PREFIX = "connback-serial-reader-";
    private static final String HOT_PLUG_THREAD = "connback-serial-hotplug";

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    /** What ended a thread of the JVM, while a test runs. */
    private final List<String> uncaught = new CopyOnWriteArrayList<>();
    /** The warnings and errors that Connback's code logged through System.Logger, while a test runs. */
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Handler warningRecorder = new Handler() {
        @Override
        public void publish(LogRecord log) {
            if (log.getLevel().intValue() >= Level.WARNING.intValue() && log.getLoggerName() != null
                    && log.getLoggerName().startsWith("io.connback.")) {
                warnings.add(log.getLoggerName() + ": " + log.getMessage());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private Thread.UncaughtExceptionHandler previousHandler;
    private Links links;
    private DeviceJvm device;

    /**
     * The framework of this class.
     *
     * @return its options
     */
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return Gateway.framework();
    }

    @Before
    public void watchThreadsAndPlugInAnEchoDevice() throws Exception {
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, failure) -> {
            uncaught.add(thread.getName() + ": " + failure);
            failure.printStackTrace();
        });
        Logger.getLogger("").addHandler(warningRecorder);
        links = new Links(context, configurationAdmin);
        device = DeviceJvm.start("echo");
    }

    @After
    public void cleanUp() throws Exception {
        try {
            links.cleanUp();
        } finally {
            if (device != null) {
                device.close();
            }
            Logger.getLogger("").removeHandler(warningRecorder);
            Thread.setDefaultUncaughtExceptionHandler(previousHandler);
        }
    }

    @Test
    public void updatingTheSerialBundleReconnectsTheDeviceThroughTheNewCodeWithinASecondAndKeepsItsListeners()
            throws Exception {
        RecordingListener listener = links.listen("meter1");
        links.configure(Gateway.SERIAL_PID, "meter1", Gateway.serialLink(device.link()));
        ManagedConnection connection = links.awaitConnected("meter1");
        long serviceId = links.serviceId("meter1");
        Await.until("the first connect", TIMEOUT, () -> listener.count("meter1:connect") == 1);
        sendLine(connection, "before");
        Await.until("the echo through the first link", TIMEOUT, () -> listener.received().equals("before"));
        List<Thread> oldReaders = readerThreads();
        assertEquals("reader threads of the first link: " + oldReaders, 1, oldReaders.size());
        Bundle serial = links.bundle("io.connback.serial");
        ClassLoader oldCode = serial.adapt(BundleWiring.class).getClassLoader();
        assertEquals(oldCode, connection.client().orElseThrow().getClass().getClassLoader());

        // the promise of the lease that the last component holds: the old revision's reader has ended by the time
        // the revision stops, before its class loader goes away (a reader notices a closed link within 100 ms anyway)
        long started = System.nanoTime();
        List<Boolean> readerAliveWhenStopped = update(serial, oldReaders.get(0));
        long updatedMillis = (System.nanoTime() - started) / 1_000_000;
        Await.until("the reconnection through the updated bundle", TIMEOUT,
                () -> listener.count("meter1:connect") == 2);
        long reconnectedMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("Serial hot swap: bundle update -> reconnected in " + reconnectedMillis + " ms (update() "
                + updatedMillis + " ms)");

        assertEquals("the old revision's reader alive when it stopped", List.of(false), readerAliveWhenStopped);
        assertTrue("bundle update -> reconnected in " + reconnectedMillis + " ms",
                reconnectedMillis < SWAP_BOUND_MILLIS);
        assertEquals(serviceId, links.serviceId("meter1"));
        assertEquals(List.of("meter1:connect", "meter1:close", "meter1:connect"), listener.events());
        ManagedConnection reconnected = links.awaitConnected("meter1");
        ClassLoader newCode = serial.adapt(BundleWiring.class).getClassLoader();
        assertNotEquals(oldCode, newCode);
        assertEquals("the link's code", newCode, reconnected.client().orElseThrow().getClass().getClassLoader());
        sendLine(reconnected, "after");
        Await.until("the echo through the new link", TIMEOUT, () -> listener.received().equals("beforeafter"));
        Await.until("one reader thread, of the new link: " + readerThreads(), TIMEOUT,
                () -> readerThreads().size() == 1);
        assertNotEquals(oldReaders.get(0), readerThreads().get(0));
        assertEquals("threads ended by an exception", List.of(), uncaught);
        assertEquals("warnings of Connback", List.of(), warnings);
    }

    @Test
    public void aSerialLinkInTheFrameworkIsBackWithinASecondOfAReplugWhileItsBackoffWaits30s() throws Exception {
        RecordingListener listener = links.listen("meter2");
        links.configure(Gateway.SERIAL_PID, "meter2", waitingLong());
        ManagedConnection connection = links.awaitConnected("meter2");

        device.unplug();
        Await.until("the close on the unplug", TIMEOUT, () -> listener.count("meter2:close") == 1);
        Await.until("the hot-plug watcher", TIMEOUT, () -> !threads(HOT_PLUG_THREAD).isEmpty());
        assertEquals(ConnectionState.RECONNECTING, connection.state());
        long replugged = System.nanoTime();
        device.replug();
        Await.until("the reconnection after the replug", TIMEOUT, () -> listener.count("meter2:connect") == 2);
        long reconnectedMillis = (System.nanoTime() - replugged) / 1_000_000;
        System.out.println("Serial replug in the framework -> reconnected in " + reconnectedMillis + " ms");

        assertTrue("replug -> reconnected in " + reconnectedMillis + " ms", reconnectedMillis < REPLUG_BOUND_MILLIS);
        sendLine(links.awaitConnected("meter2"), "replugged");
        Await.until("the echo through the new link", TIMEOUT, () -> listener.received().equals("replugged"));
        Await.until("the hot-plug watcher ended", TIMEOUT, () -> threads(HOT_PLUG_THREAD).isEmpty());
        Await.until("one reader thread: " + readerThreads(), TIMEOUT, () -> readerThreads().size() == 1);
        assertEquals(List.of("meter2:connect", "meter2:close", "meter2:connect"), listener.events());
        assertEquals("threads ended by an exception", List.of(), uncaught);
    }

    @Test
    public void updatingTheSerialBundleWhileTheDeviceIsUnpluggedLeavesNoThreadOfTheOldRevisionAndFindsTheReplug()
            throws Exception {
        RecordingListener listener = links.listen("meter3");
        links.configure(Gateway.SERIAL_PID, "meter3", waitingLong());
        links.awaitConnected("meter3");
        device.unplug();
        Await.until("the hot-plug watcher", TIMEOUT, () -> threads(HOT_PLUG_THREAD).size() == 1);
        Thread oldWatcher = threads(HOT_PLUG_THREAD).get(0);

        long started = System.nanoTime();
        List<Boolean> watcherAliveWhenStopped = update(links.bundle("io.connback.serial"), oldWatcher);
        System.out.println("Serial hot swap, device unplugged: update() " + (System.nanoTime() - started) / 1_000_000
                + " ms");
        assertEquals("the old revision's hot-plug watcher alive when it stopped", List.of(false),
                watcherAliveWhenStopped);
        long replugged = System.nanoTime();
        device.replug();
        Await.until("the reconnection after the replug", TIMEOUT, () -> listener.count("meter3:connect") == 2);
        long reconnectedMillis = (System.nanoTime() - replugged) / 1_000_000;
        System.out.println("Serial replug after the hot swap -> reconnected in " + reconnectedMillis + " ms");
        // the new revision's watch finds the device, however its start and the replug interleave
        assertTrue("replug -> reconnected in " + reconnectedMillis + " ms", reconnectedMillis < REPLUG_BOUND_MILLIS);

        sendLine(links.awaitConnected("meter3"), "swapped");
        Await.until("the echo through the new link", TIMEOUT, () -> listener.received().equals("swapped"));
        assertEquals(List.of("meter3:connect", "meter3:close", "meter3:connect"), listener.events());
        assertEquals("threads ended by an exception", List.of(), uncaught);
        assertEquals("warnings of Connback", List.of(), warnings);
    }

    /** A link whose backoff waits 30 s: only the hot-plug watcher can bring an unplugged device back quickly. */
    private Dictionary<String, Object> waitingLong() {
        Dictionary<String, Object> waitingLong = Gateway.serialLink(device.link());
        waitingLong.put("initialDelay", 30_000);
        waitingLong.put("maxDelay", 60_000);
        waitingLong.put("jitter", "none");
        return waitingLong;
    }

    /**
     * Updates the bundle.
     *
     * @return whether {@code thread} was alive when the bundle's old revision stopped, once
     */
    private List<Boolean> update(Bundle bundle, Thread thread) throws BundleException {
        List<Boolean> aliveWhenStopped = new CopyOnWriteArrayList<>();
        SynchronousBundleListener stopped = event -> {
            if (event.getBundle().equals(bundle) && event.getType() == BundleEvent.STOPPED) {
                aliveWhenStopped.add(thread.isAlive());
            }
        };
        context.addBundleListener(stopped);
        try {
            bundle.update();
        } finally {
            context.removeBundleListener(stopped);
        }
        return aliveWhenStopped;
    }

    private static void sendLine(ManagedConnection connection, String text) {
        connection.link().orElseThrow().send((text + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static List<Thread> readerThreads() {
        return threads(READER_PREFIX);
    }

    private static List<Thread> threads(String namePrefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> thread.getName().startsWith(namePrefix))
                .collect(Collectors.toList());
    }
}
