package io.connback.hardware;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A serial device a test can plug in, unplug and replug: a {@link PseudoTerminal} reached through a link such as
 * {@code <tmp>/ttyUSB0}, with a {@link DeviceProgram} on the far end running in one thread, {@code device-<name>}.
 * The program and its state live across unplug and replug, as the firmware of a device that is moved to another
 * USB port; the pty (and with it the {@code /dev/pts} number) is new on every replug.
 */
public final class EmulatedDevice implements AutoCloseable {

    /** How long the device waits for a host that does not read before the rest of a write is lost. */
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final String name;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition plugChanged = lock.newCondition();
    /** Guarded by lock; null while unplugged. */
    private PseudoTerminal terminal;
    /** Guarded by lock; null while unplugged. */
    private Path link;
    /** Guarded by lock. */
    private boolean closed;
    private volatile Exception failure;

    private EmulatedDevice(String name, DeviceProgram program) {
        this.name = name;
        this.thread = new Thread(() -> run(program), "device-" + name);
        thread.setDaemon(true);
    }

    /**
     * Plugs in a new device and starts its program.
     *
     * @param name names the device and its thread
     * @param program what the device does
     * @param link where the device appears, for example {@code <tmp>/ttyUSB0}; nothing may exist there
     * @return the running device
     * @throws IOException if the pty or the link cannot be made
     */
    public static EmulatedDevice plugIn(String name, DeviceProgram program, Path link) throws IOException {
        EmulatedDevice device = new EmulatedDevice(name, program);
        device.replug(link);
        device.thread.start();
        return device;
    }

    /**
     * The path the device appears under.
     *
     * @return the link given to the last plug-in or replug; null while unplugged
     */
    public Path link() {
        lock.lock();
        try {
            return link;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The pty behind the link.
     *
     * @return {@code /dev/pts/N}; null while unplugged
     */
    public Path slavePath() {
        lock.lock();
        try {
            return terminal == null ? null : terminal.slavePath();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Pulls the plug: the pty disappears (a host that has it open sees a hangup) and so does the link. The program
     * keeps running, reading nothing and writing into the void. Does nothing if already unplugged.
     *
     * @throws IOException if the link cannot be removed
     */
    public void unplug() throws IOException {
        PseudoTerminal unplugged;
        lock.lock();
        try {
            unplugged = terminal;
            terminal = null;
            link = null;
        } finally {
            lock.unlock();
        }
        if (unplugged != null) {
            // outside the lock: close() waits for the program's read or write to return
            unplugged.close();
        }
    }

    /**
     * Plugs the device in again, on a new pty, under the same link as before or another one.
     *
     * @param link where the device appears now; nothing may exist there
     * @throws IOException if the pty or the link cannot be made
     * @throws IllegalStateException if the device is plugged in or closed
     */
    public void replug(Path link) throws IOException {
        lock.lock();
        try {
            if (closed || terminal != null) {
                throw new IllegalStateException(this + " is " + (closed ? "closed" : "plugged in"));
            }
            PseudoTerminal fresh = PseudoTerminal.open();
            try {
                fresh.linkAs(link);
            } catch (IOException | RuntimeException e) {
                fresh.close();
                throw e;
            }
            terminal = fresh;
            this.link = link;
            plugChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the program and unplugs the device.
     *
     * @throws IOException if the program failed (as the cause), or the link cannot be removed
     * @throws IllegalStateException if the program does not stop within 5 s
     */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            closed = true;
            plugChanged.signalAll();
        } finally {
            lock.unlock();
        }
        unplug();
        try {
            thread.join(STOP_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while stopping " + this);
        }
        if (thread.isAlive()) {
            throw new IllegalStateException(thread.getName() + " did not stop within " + STOP_TIMEOUT);
        }
        if (failure != null) {
            throw new IOException("the program of " + this + " failed", failure);
        }
    }

    @Override
    public String toString() {
        return "EmulatedDevice[" + name + "]";
    }

    private void run(DeviceProgram program) {
        try {
            program.run(new Line());
        } catch (InterruptedException closing) {
            // the normal end: close() was called
        } catch (IOException | RuntimeException e) {
            // reported by close(), which EmulatedDevices calls after every test
            failure = e;
        }
    }

    /**
     * Waits until the device is plugged in, at most until the deadline.
     *
     * @return the pty, or null if still unplugged at the deadline
     * @throws InterruptedException once closed
     */
    private PseudoTerminal awaitPlugged(long deadline) throws InterruptedException {
        lock.lock();
        try {
            while (!closed && terminal == null) {
                long nanos = deadline - System.nanoTime();
                if (nanos <= 0) {
                    break;
                }
                plugChanged.awaitNanos(nanos);
            }
            if (closed) {
                throw new InterruptedException(this + " is closed");
            }
            return terminal;
        } finally {
            lock.unlock();
        }
    }

    private final class Line implements DeviceLine {

        @Override
        public int read(byte[] buffer, Duration timeout) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                PseudoTerminal current = awaitPlugged(deadline);
                if (current == null) {
                    return 0;
                }
                int count = current.read(buffer, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                if (count >= 0) {
                    return count;
                }
                // -1: unplugged while reading; wait for a replug until the deadline
            }
        }

        @Override
        public void write(byte[] bytes) throws IOException, InterruptedException {
            PseudoTerminal current = awaitPlugged(System.nanoTime());
            if (current != null && current.isHostAttached()) {
                current.write(bytes, WRITE_TIMEOUT);
            }
        }
    }
}
