package io.connback.link;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Tells of links whose listener (or pong matcher) has been inside one call for longer than a limit: one WARNING per
 * stuck call, with the link's name and the stack of the thread it is stuck on. Its thread,
 * {@code connback-link-watchdog}, runs only while some link is delivering, and looks at those links a few times per
 * limit.
 */
final class DeliveryWatchdog {

    private static final System.Logger LOG = System.getLogger(AbstractLink.class.getName());

    /** The watchdog of every link: stuck for more than 5 s. */
    static final DeliveryWatchdog SHARED = new DeliveryWatchdog(Duration.ofSeconds(5));

    private final long limitNanos;
    private final long tickNanos;
    private final Set<AbstractLink> delivering = ConcurrentHashMap.newKeySet();
    private final Object lifecycle = new Object();
    private volatile Thread thread; // written under lifecycle

    DeliveryWatchdog(Duration limit) {
        this.limitNanos = limit.toNanos();
        this.tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), limitNanos / 5);
    }

    /** A link starts delivering, on its delivery thread. */
    void started(AbstractLink link) {
        delivering.add(link);
        if (thread == null) {
            startThread();
        }
    }

    /** The link has nothing more to deliver for now, on its delivery thread. */
    void finished(AbstractLink link) {
        delivering.remove(link);
    }

    private void startThread() {
        synchronized (lifecycle) {
            if (thread == null) {
                Thread watch = new Thread(this::watch, "connback-link-watchdog");
                watch.setDaemon(true);
                thread = watch;
                watch.start();
            }
        }
    }

    private void watch() {
        while (true) {
            LockSupport.parkNanos(tickNanos);
            long now = System.nanoTime();
            for (AbstractLink link : delivering) {
                link.checkStuck(now, limitNanos);
            }
            if (delivering.isEmpty()) {
                synchronized (lifecycle) {
                    thread = null;
                }
                if (!delivering.isEmpty()) {
                    startThread(); // a link started between the look and the end: a watchdog for it
                }
                return;
            }
        }
    }

    /** Logs the stuck call of a link; on the watchdog's thread. */
    static void reportStuck(AbstractLink link, Thread stuckThread, long stuckNanos) {
        StuckListenerException where = new StuckListenerException(stuckThread);
        LOG.log(Level.WARNING, () -> link + ": a frame listener or pong matcher has been running for "
                + TimeUnit.NANOSECONDS.toMillis(stuckNanos) + " ms on " + stuckThread.getName() + "; this link's "
                + "frames wait (within maxQueuedBytes, then dropped and counted); other links go on. Stack:", where);
    }

    /** Carries the stack of the stuck thread into the log. */
    static final class StuckListenerException extends Exception {
        private static final long serialVersionUID = 1L;

        StuckListenerException(Thread stuck) {
            super("stack of " + stuck.getName(), null, false, true);
            setStackTrace(stuck.getStackTrace());
        }
    }
}
