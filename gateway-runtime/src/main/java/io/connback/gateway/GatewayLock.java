package io.connback.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One gateway per data folder: an exclusive lock on {@code gateway.lock}, held until the process ends (the operating
 * system releases it then, even after a kill). The file holds the owner's process id, so that a second gateway can
 * say which one runs. The file is never deleted: deleting it would let a third gateway lock a new file while the
 * first still holds the old one. Keep the instance reachable while the gateway runs: a collected channel closes its
 * file descriptor, and that releases the lock.
 */
final class GatewayLock {

    /** The lock file's name in the data folder. */
    static final String FILE_NAME = "gateway.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private GatewayLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Another process holds the lock. */
    static final class HeldException extends Exception {
        private static final long serialVersionUID = 1L;

        HeldException(String message) {
            super(message);
        }
    }

    /**
     * Takes the lock of a data folder, at once or not at all.
     *
     * @param data the data folder, which must exist
     * @return the lock, held until {@link #release()} or the end of the process
     * @throws HeldException if another process holds it: {@code another gateway (pid N) is running in <data>}
     * @throws IOException if the file cannot be opened or written
     */
    static GatewayLock acquire(Path data) throws HeldException, IOException {
        Path file = data.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                String owner = owner(channel).map(pid -> "pid " + pid).orElse("pid unknown");
                throw new HeldException("another gateway (" + owner + ") is running in " + data);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                    0);
            channel.force(false);
            return new GatewayLock(channel, lock);
        } catch (HeldException | IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** What the owner wrote: empty while it has not written yet. */
    private static Optional<String> owner(FileChannel channel) throws IOException {
        ByteBuffer content = ByteBuffer.allocate(32);
        channel.read(content, 0);
        String pid = new String(content.array(), 0, content.position(), StandardCharsets.US_ASCII).trim();
        return pid.isEmpty() ? Optional.empty() : Optional.of(pid);
    }

    /**
     * Releases the lock: the gateway has stopped.
     *
     * @throws IOException if the file cannot be closed
     */
    void release() throws IOException {
        lock.release();
        channel.close();
    }
}
