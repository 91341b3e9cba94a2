package io.connback.hardware;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A pseudo-terminal pair made by libc {@code openpty}: the slave {@code /dev/pts/N} is the serial port a host opens
 * by path, the master is the wire end a device program reads and writes. The slave is raw (no echo, no CR/LF
 * translation, no line editing), so bytes pass unchanged both ways.
 *
 * <p>This process does not keep the slave open, so the master sees whether a host has the port open: it reports a
 * hangup while nobody does. {@link #close()} is an unplug: the slave node disappears, a host that has it open sees a
 * hangup, and the links made by {@link #linkAs(Path)} are removed.
 *
 * <p>Reads and writes may run in other threads than {@code close()}: closing wakes them and waits for them to return,
 * so a file descriptor is never used after it is closed (and maybe reused by someone else).
 */
public final class PseudoTerminal implements AutoCloseable {

    private static final LibC C = LibC.INSTANCE;

    /**
     * While no host has the slave open the master reports a hangup at once and cannot wait for an open, so a read
     * waits for a host in steps of this length.
     */
    private static final int HOST_POLL_STEP_MILLIS = 10;

    private final int master;
    /** An eventfd that {@link #close()} signals to wake reads and writes waiting in poll. */
    private final int wakeup;
    private final Path slavePath;
    private final List<Path> links = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Shared by reads and writes, exclusive for closing the file descriptors. */
    private final ReentrantReadWriteLock descriptors = new ReentrantReadWriteLock();

    private PseudoTerminal(int master, int wakeup, Path slavePath) {
        this.master = master;
        this.wakeup = wakeup;
        this.slavePath = slavePath;
    }

    /**
     * Opens a new pseudo-terminal pair.
     *
     * @return the open pair, its slave raw and closed in this process
     * @throws IOException if libc refuses (errno in the message)
     */
    public static PseudoTerminal open() throws IOException {
        IntByReference masterFd = new IntByReference();
        IntByReference slaveFd = new IntByReference();
        check(LibC.OpenPty.INSTANCE.openpty(masterFd, slaveFd, null, null, null), "openpty");
        int master = masterFd.getValue();
        int slave = slaveFd.getValue();
        try {
            // a child process must not inherit the master: the pty would outlive close()
            check(C.fcntl(master, LibC.F_SETFD, LibC.FD_CLOEXEC), "fcntl(F_SETFD)");
            // non-blocking, so that a write to a host that does not read can give up at its deadline
            int flags = check(C.fcntl(master, LibC.F_GETFL, 0), "fcntl(F_GETFL)");
            check(C.fcntl(master, LibC.F_SETFL, flags | LibC.O_NONBLOCK), "fcntl(F_SETFL)");
            makeRaw(slave);
            Path slavePath = nameOf(slave);
            return new PseudoTerminal(master, check(C.eventfd(0, LibC.O_CLOEXEC), "eventfd"), slavePath);
        } catch (IOException | RuntimeException e) {
            C.close(master);
            throw e;
        } finally {
            C.close(slave);
        }
    }

    private static void makeRaw(int slave) throws IOException {
        try (Memory termios = new Memory(LibC.TERMIOS_SIZE)) {
            check(C.tcgetattr(slave, termios), "tcgetattr");
            C.cfmakeraw(termios);
            check(C.tcsetattr(slave, LibC.TCSANOW, termios), "tcsetattr");
        }
    }

    private static Path nameOf(int slave) throws IOException {
        byte[] name = new byte[256];
        int error = C.ttyname_r(slave, name, new NativeLong(name.length));
        if (error != 0) {
            throw new IOException("ttyname_r failed: " + C.strerror(error));
        }
        return Path.of(Native.toString(name));
    }

    /**
     * The serial port a host opens.
     *
     * @return {@code /dev/pts/N}
     */
    public Path slavePath() {
        return slavePath;
    }

    /**
     * Makes a symbolic link to the slave, as udev does for {@code /dev/ttyUSB0} or {@code /dev/serial/by-id/...};
     * creates missing parent directories. {@link #close()} removes the link.
     *
     * @param link where the link goes; nothing may exist there
     * @return {@code link}
     * @throws IOException if the link cannot be made, for example because the path exists
     * @throws IllegalStateException once closed
     */
    public Path linkAs(Path link) throws IOException {
        Lock lock = descriptors.readLock();
        lock.lock();
        try {
            if (closed.get()) {
                throw new IllegalStateException(this + " is closed");
            }
            Path parent = link.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.createSymbolicLink(link, slavePath);
            links.add(link);
            return link;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether a host has the slave open.
     *
     * @return false while nobody has it open, and once closed
     * @throws IOException if poll fails
     */
    public boolean isHostAttached() throws IOException {
        Lock lock = descriptors.readLock();
        lock.lock();
        try {
            return !closed.get() && (poll(LibC.POLLIN, 0) & LibC.POLLHUP) == 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads what the host wrote, waiting for it at most {@code timeout}, also while no host has the port open.
     *
     * @param buffer receives the bytes
     * @param timeout the longest wait
     * @return the number of bytes read; 0 if none arrived in time; -1 once closed (also when closed while waiting)
     * @throws IOException if libc fails
     */
    public int read(byte[] buffer, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Lock lock = descriptors.readLock();
        lock.lock();
        try {
            while (!closed.get()) {
                if ((awaitMaster(LibC.POLLIN, deadline) & LibC.POLLIN) != 0) {
                    long count = C.read(master, buffer, new NativeLong(buffer.length)).longValue();
                    if (count > 0) {
                        return (int) count;
                    }
                    failUnlessTransient(count, "read");
                }
                if (millisUntil(deadline) == 0) {
                    return 0;
                }
            }
            return -1;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes to the host, waiting at most {@code timeout} for room in the pty's buffer (about 20 KiB when nobody
     * reads). While no host has the port open, the bytes wait in that buffer for the next host.
     *
     * @param bytes what to send
     * @param timeout the longest wait for room
     * @return the number of bytes written, fewer than {@code bytes.length} if the timeout passed; -1 once closed
     * @throws IOException if libc fails
     */
    public int write(byte[] bytes, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Lock lock = descriptors.readLock();
        lock.lock();
        try (Memory data = new Memory(Math.max(1, bytes.length))) {
            data.write(0, bytes, 0, bytes.length);
            int written = 0;
            while (!closed.get()) {
                if (written == bytes.length) {
                    return written;
                }
                long count = C.write(master, data.share(written), new NativeLong(bytes.length - written)).longValue();
                if (count > 0) {
                    written += (int) count;
                    continue;
                }
                failUnlessTransient(count, "write");
                if (millisUntil(deadline) == 0) {
                    return written;
                }
                awaitMaster(LibC.POLLOUT, deadline);
            }
            return -1;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Unplugs: closes the master, so the slave node disappears and a host that has it open sees a hangup; wakes and
     * waits for reads and writes in other threads; then removes the links. Idempotent.
     *
     * @throws IOException if a link cannot be removed
     */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try (Memory one = new Memory(Long.BYTES)) {
            one.setLong(0, 1);
            C.write(wakeup, one, new NativeLong(Long.BYTES));
        }
        Lock lock = descriptors.writeLock();
        lock.lock();
        try {
            C.close(master);
            C.close(wakeup);
        } finally {
            lock.unlock();
        }
        for (Path link : links) {
            // only our own link: someone may have replaced it meanwhile
            if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(slavePath)) {
                Files.delete(link);
            }
        }
    }

    @Override
    public String toString() {
        return "PseudoTerminal[" + slavePath + "]";
    }

    /**
     * Waits until the master reports {@code events}, the deadline passes or {@code close()} wakes the wait; a
     * hangup (no host has the slave open) ends the wait after one step.
     */
    private short awaitMaster(short events, long deadline) throws IOException {
        short reported = poll(events, millisUntil(deadline));
        if ((reported & (LibC.POLLERR | LibC.POLLNVAL)) != 0) {
            throw new IOException("poll reports an error on the master of " + this + ": revents=" + reported);
        }
        if ((reported & events) == 0 && (reported & LibC.POLLHUP) != 0) {
            poll((short) 0, Math.min(HOST_POLL_STEP_MILLIS, millisUntil(deadline)));
        }
        return reported;
    }

    /**
     * Polls the master for {@code events} (not at all if 0) together with the wake-up.
     *
     * @return the events reported for the master; 0 on timeout, wake-up or EINTR
     */
    private short poll(short events, int timeoutMillis) throws IOException {
        try (Memory fds = new Memory(2L * LibC.POLLFD_SIZE)) {
            fds.clear();
            int count = 0;
            if (events != 0) {
                fds.setInt(0, master);
                fds.setShort(4, events);
                count++;
            }
            fds.setInt((long) count * LibC.POLLFD_SIZE, wakeup);
            fds.setShort((long) count * LibC.POLLFD_SIZE + 4, LibC.POLLIN);
            count++;
            int ready = C.poll(fds, new NativeLong(count), timeoutMillis);
            failUnlessTransient(ready, "poll");
            return events != 0 && ready > 0 ? fds.getShort(6) : 0;
        }
    }

    /**
     * After a call returned {@code result}: fails if it failed for another reason than EAGAIN, EINTR or EIO (the
     * host closed its end between poll and read).
     */
    private void failUnlessTransient(long result, String call) throws IOException {
        if (result < 0) {
            int errno = Native.getLastError();
            if (errno != LibC.EAGAIN && errno != LibC.EINTR && errno != LibC.EIO) {
                throw failure(call + " on " + this, errno);
            }
        }
    }

    private static int millisUntil(long deadline) {
        long nanos = deadline - System.nanoTime();
        // rounded up: a sub-millisecond rest must not turn into a busy poll with timeout 0
        return nanos <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000);
    }

    private static int check(int result, String call) throws IOException {
        if (result == -1) {
            throw failure(call, Native.getLastError());
        }
        return result;
    }

    private static IOException failure(String call, int errno) {
        return new IOException(call + " failed: " + C.strerror(errno) + " (errno " + errno + ")");
    }
}
