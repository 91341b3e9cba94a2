package io.connback.mqtt.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The durable queue of one MQTT link: an append-only log of records in segment files, each record checked by a
 * CRC-32C, written and forced to the disk by a thread of its own.
 *
 * <h2>Files</h2>
 * The folder holds {@code lock} (held with a file lock while the log is open, so that two processes never share a
 * store) and segment files {@code <16-digit index>.seg}. A segment starts with a header (the magic {@code CBQ1}, the
 * next sequence number when it was made) and holds records: {@code int length, int crc32c, byte type, long sequence}
 * and, for a message, {@code byte flags (qos | retained << 2), short topic length, topic (UTF-8), payload}. The types:
 * a message was published ({@code MESSAGE}), handed to the broker ({@code SENT}), acknowledged or dropped
 * ({@code DONE}). Messages are appended in sequence order, and a message's other records always come after it.
 * Segments are at most {@link #segmentBytes(long)} long; a new one starts at every open, and when the queue is empty
 * and the current one holds a quarter of that. A segment is deleted once it and every older one hold no waiting
 * message: only from the head, so that a {@code DONE} record never goes before the message it ends.
 *
 * <h2>Recovery</h2>
 * Opening reads every segment: the waiting messages are those without a {@code DONE}, in order; those with a
 * {@code SENT} were in flight when the log was last closed or the process died, and may reach the broker twice. A
 * record cut short, or whose CRC does not match (a write that a crash cut off, a zeroed tail after power loss), ends
 * its segment: the file is truncated there, keeping the good prefix, with one line saying so.
 *
 * <h2>Threads</h2>
 * {@link #message}, {@link #sent} and {@link #done} only queue a record, from any thread (the session calls them under
 * its lock, so records are queued in the order things happened). The writer thread,
 * {@code connback-mqtt-store-<folder>}, owns the files: it writes what is queued at once (so a {@code kill -9} loses
 * at most the records of the last moment), and forces the files to the disk after each batch with
 * {@code store.sync = always}, or every sync interval. {@link #close()} writes and forces what is queued, then ends the
 * thread.
 */
final class MessageLog implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(MessageLog.class.getName());

    static final byte MESSAGE = 1;
    static final byte SENT = 2;
    static final byte DONE = 3;

    private static final int MAGIC = 0x43425131; // "CBQ1"
    private static final int SEGMENT_HEADER = 12;
    /** Length and CRC. */
    private static final int RECORD_HEADER = 8;
    /** Type and sequence number. */
    private static final int MARK_BODY = 9;
    /** Type, sequence number, flags and topic length. */
    private static final int MESSAGE_FIXED = MARK_BODY + 3;
    private static final String SUFFIX = ".seg";
    private static final long CLOSE_TIMEOUT_SECONDS = 10;

    private final Path dir;
    private final StoreSettings settings;
    private final long segmentBytes;
    private final FileChannel lockChannel;
    private final FileLock fileLock;
    private final Thread writer;
    private final AtomicLong syncs = new AtomicLong();

    private final Object lock = new Object();
    // guarded by lock
    private ArrayDeque<Record> queued = new ArrayDeque<>();
    private boolean closing;

    // owned by the writer thread (and by the constructor before it starts)
    /** Oldest first; the last one is written to. */
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    /** The segments that hold messages, by the sequence number of their first message. */
    private final TreeMap<Long, Segment> byFirstMessage = new TreeMap<>();
    private long nextIndex;
    /** One more than the highest sequence number written. */
    private long nextSequence;
    private boolean dirty;
    private long lastSync = System.nanoTime();
    private ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
    private final CRC32C crc = new CRC32C();
    private IOException failure;

    /** A message read back when the log was opened. */
    record Stored(long sequence, String topic, byte[] payload, int qos, boolean retained, boolean sent) {}

    /**
     * An opened log and what it held.
     *
     * @param log the log, to append to
     * @param waiting the messages not done, in sequence order
     * @param nextSequence the sequence number of the next message
     * @param bytes the record bytes of the waiting messages
     */
    record Opened(MessageLog log, List<Stored> waiting, long nextSequence, long bytes) {
        /** @return how many waiting messages were sent before, and may reach the broker twice */
        int possibleDuplicates() {
            return (int) waiting.stream().filter(Stored::sent).count();
        }
    }

    private MessageLog(Path dir, StoreSettings settings, FileChannel lockChannel, FileLock fileLock) {
        this.dir = dir;
        this.settings = settings;
        this.segmentBytes = segmentBytes(settings.maxBytes());
        this.lockChannel = lockChannel;
        this.fileLock = fileLock;
        this.writer = new Thread(this::write, "connback-mqtt-store-" + dir.getFileName());
        this.writer.setDaemon(true);
    }

    /**
     * Opens the store in its folder, creating it if needed, and reads back what it holds (see the class description).
     *
     * @param settings the store's folder and bounds
     * @return the log and its waiting messages
     * @throws IOException if the folder cannot be made, written or locked, or holds a file that is not a segment
     */
    static Opened open(StoreSettings settings) throws IOException {
        Path dir = settings.dir().toAbsolutePath().normalize();
        Files.createDirectories(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock fileLock;
        try {
            fileLock = lockChannel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            lockChannel.close();
            throw new IOException("it is locked by another store of this process: " + e, e);
        }
        if (fileLock == null) {
            lockChannel.close();
            throw new IOException("it is locked by another process (" + dir.resolve("lock") + ")");
        }
        MessageLog log = new MessageLog(dir, settings, lockChannel, fileLock);
        try {
            Opened opened = log.recover();
            log.writer.start();
            return opened;
        } catch (IOException | RuntimeException e) {
            log.closeFiles();
            throw e;
        }
    }

    /** The size of one segment for a store bound: a sixteenth of it, 64 KiB to 16 MiB. */
    static long segmentBytes(long maxBytes) {
        return Math.max(64L << 10, Math.min(16L << 20, maxBytes / 16));
    }

    /**
     * The bytes a message takes in the store.
     *
     * @param topic the topic name
     * @param payloadLength its payload's length
     * @return the record's length, header included
     */
    static int recordBytes(String topic, int payloadLength) {
        return RECORD_HEADER + MESSAGE_FIXED + utf8Length(topic) + payloadLength;
    }

    /** Queues a message's record. */
    void message(long sequence, String topic, byte[] payload, int qos, boolean retained) {
        enqueue(new Record(MESSAGE, sequence, topic, payload, qos, retained));
    }

    /** Queues the mark of a message handed to the broker. */
    void sent(long sequence) {
        enqueue(new Record(SENT, sequence, null, null, 0, false));
    }

    /** Queues the mark of a message acknowledged by the broker, or dropped. */
    void done(long sequence) {
        enqueue(new Record(DONE, sequence, null, null, 0, false));
    }

    /** @return the folder */
    Path dir() {
        return dir;
    }

    /** @return how many times the files were forced to the disk */
    long syncs() {
        return syncs.get();
    }

    /** Writes and forces what is queued, ends the writer thread and closes the files; waits up to 10 s. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closing) {
                return;
            }
            closing = true;
            lock.notifyAll();
        }
        try {
            writer.join(TimeUnit.SECONDS.toMillis(CLOSE_TIMEOUT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.log(Level.WARNING, () -> "store " + dir + ": its writer did not finish within "
                    + CLOSE_TIMEOUT_SECONDS + " s; the last records may be missing");
        }
    }

    @Override
    public String toString() {
        return "store " + dir + " (" + settings.syncName() + ")";
    }

    private void enqueue(Record record) {
        synchronized (lock) {
            if (closing) {
                return; // the session took its store out of use first; nothing comes after a close
            }
            boolean wake = queued.isEmpty();
            queued.add(record);
            if (wake) {
                lock.notifyAll();
            }
        }
    }

    // ---------------------------------------------------------------- recovery, before the writer starts

    private Opened recover() throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(file -> file.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        }
        Map<Long, Recovered> waiting = new LinkedHashMap<>();
        long next = 0;
        for (Path file : files) {
            Segment segment = new Segment(file, indexOf(file));
            nextIndex = segment.index + 1;
            next = Math.max(next, read(segment, waiting));
            segments.add(segment);
        }
        long bytes = 0;
        List<Stored> stored = new ArrayList<>(waiting.size());
        for (Recovered message : waiting.values()) {
            message.segment.live++;
            bytes += recordBytes(message.stored.topic(), message.stored.payload().length);
            stored.add(message.stored);
        }
        for (Segment segment : segments) {
            if (segment.firstMessage != Long.MIN_VALUE) {
                byFirstMessage.put(segment.firstMessage, segment);
            }
        }
        nextSequence = next;
        deleteDoneHead();
        startSegment();
        return new Opened(this, List.copyOf(stored), next, bytes);
    }

    private static long indexOf(Path file) throws IOException {
        String name = file.getFileName().toString();
        try {
            return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            throw new IOException("it holds " + file + ", which is not a store segment (expected <index>" + SUFFIX
                    + ")");
        }
    }

    /** Reads a segment's records into {@code waiting}; truncates a damaged tail. Returns the next sequence number. */
    private long read(Segment segment, Map<Long, Recovered> waiting) throws IOException {
        ByteBuffer content = ByteBuffer.wrap(Files.readAllBytes(segment.file));
        segment.size = content.limit();
        if (content.limit() < SEGMENT_HEADER) {
            repair(segment, 0, "a header cut short", 0);
            return 0;
        }
        if (content.getInt() != MAGIC) {
            throw new IOException("it holds " + segment.file + ", which is not a store segment (no CBQ1 header)");
        }
        long next = content.getLong();
        int records = 0;
        while (content.hasRemaining()) {
            int start = content.position();
            String damage = damage(content);
            if (damage != null) {
                repair(segment, start, damage, records);
                break;
            }
            int length = content.getInt();
            content.getInt(); // the CRC, checked
            int bodyEnd = content.position() + length;
            byte type = content.get();
            long sequence = content.getLong();
            next = Math.max(next, sequence + 1);
            switch (type) {
                case MESSAGE -> {
                    int flags = content.get();
                    byte[] topic = new byte[Short.toUnsignedInt(content.getShort())];
                    content.get(topic);
                    byte[] payload = new byte[bodyEnd - content.position()];
                    content.get(payload);
                    waiting.put(sequence, new Recovered(segment, new Stored(sequence,
                            new String(topic, StandardCharsets.UTF_8), payload, flags & 3, (flags & 4) != 0, false)));
                    if (segment.firstMessage == Long.MIN_VALUE) {
                        segment.firstMessage = sequence;
                    }
                }
                case SENT -> waiting.computeIfPresent(sequence, (key, message) -> message.sent());
                case DONE -> waiting.remove(sequence);
                default -> throw new IllegalStateException("unreachable: type checked");
            }
            content.position(bodyEnd);
            records++;
        }
        return next;
    }

    /** Why the record at the buffer's position is damaged, or {@code null} if it is whole; leaves the position. */
    private String damage(ByteBuffer content) {
        int start = content.position();
        if (content.remaining() < RECORD_HEADER) {
            return "a record header cut short";
        }
        int length = content.getInt(start);
        int expectedCrc = content.getInt(start + 4);
        if (length < MARK_BODY || length > content.remaining() - RECORD_HEADER) {
            return length < MARK_BODY ? "a record of length " + length : "a record cut short";
        }
        crc.reset();
        crc.update(content.slice(start + RECORD_HEADER, length));
        if ((int) crc.getValue() != expectedCrc) {
            return "a record whose CRC does not match";
        }
        byte type = content.get(start + RECORD_HEADER);
        if (type != MESSAGE && type != SENT && type != DONE) {
            return "a record of unknown type " + type;
        }
        if (type == MESSAGE && (length < MESSAGE_FIXED
                || Short.toUnsignedInt(content.getShort(start + RECORD_HEADER + MARK_BODY + 1))
                        > length - MESSAGE_FIXED)) {
            return "a message record whose topic overruns it";
        }
        return null;
    }

    private void repair(Segment segment, long keep, String damage, int records) throws IOException {
        long cut = segment.size - keep;
        try (FileChannel channel = FileChannel.open(segment.file, StandardOpenOption.WRITE)) {
            if (keep < SEGMENT_HEADER) {
                channel.truncate(0);
                writeHeader(channel, 0);
            } else {
                channel.truncate(keep);
            }
            channel.force(true);
        }
        segment.size = Math.max(keep, SEGMENT_HEADER);
        LOG.log(Level.WARNING, () -> "store " + dir + ": " + segment.file.getFileName() + " ended with " + damage
                + " at byte " + keep + " (a write that a crash cut off, or a damaged disk): cut off " + cut
                + " bytes, kept the " + records + " records before it");
    }

    // ---------------------------------------------------------------- the writer thread

    private void write() {
        ArrayDeque<Record> batch = new ArrayDeque<>();
        while (true) {
            boolean last;
            synchronized (lock) {
                while (queued.isEmpty() && !closing && !syncDue()) {
                    try {
                        if (dirty) {
                            long waitNanos = settings.syncInterval().toNanos() - (System.nanoTime() - lastSync);
                            lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos)));
                        } else {
                            lock.wait();
                        }
                    } catch (InterruptedException e) {
                        closing = true; // nobody interrupts it but a dying JVM: finish like a close
                    }
                }
                ArrayDeque<Record> full = queued;
                queued = batch;
                batch = full;
                last = closing && batch.isEmpty();
            }
            if (failure == null) {
                try {
                    writeBatch(batch);
                    if (dirty && (settings.syncInterval().isZero() || last || syncDue())) {
                        sync();
                    }
                    deleteDoneHead();
                    startAfresh();
                } catch (IOException | RuntimeException e) {
                    fail(e);
                }
            }
            batch.clear();
            if (last) {
                closeFiles();
                return;
            }
        }
    }

    private boolean syncDue() {
        return dirty && System.nanoTime() - lastSync >= settings.syncInterval().toNanos();
    }

    private void writeBatch(ArrayDeque<Record> batch) throws IOException {
        for (Record record : batch) {
            int length = record.length();
            Segment active = segments.getLast();
            if (active.size + buffer.position() + length > segmentBytes
                    && active.size + buffer.position() > SEGMENT_HEADER) {
                flush(active);
                startSegment();
                active = segments.getLast();
            }
            if (buffer.remaining() < length) {
                flush(active);
                if (buffer.capacity() < length) {
                    buffer = ByteBuffer.allocateDirect(length);
                }
            }
            record.encode(buffer, crc);
            nextSequence = Math.max(nextSequence, record.sequence + 1);
            switch (record.type) {
                case MESSAGE -> {
                    active.live++;
                    if (active.firstMessage == Long.MIN_VALUE) {
                        active.firstMessage = record.sequence;
                        byFirstMessage.put(record.sequence, active);
                    }
                }
                case DONE -> {
                    Map.Entry<Long, Segment> holder = byFirstMessage.floorEntry(record.sequence);
                    if (holder != null) {
                        holder.getValue().live--;
                    }
                }
                default -> { } // SENT changes no count
            }
        }
        flush(segments.getLast());
    }

    private void flush(Segment active) throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            active.size += active.channel.write(buffer);
        }
        buffer.clear();
        dirty = true;
    }

    private void sync() throws IOException {
        segments.getLast().channel.force(false);
        syncs.incrementAndGet();
        dirty = false;
        lastSync = System.nanoTime();
    }

    /** Starts a new segment to write to: the one before it is forced first, and the folder after. */
    private void startSegment() throws IOException {
        if (!segments.isEmpty() && segments.getLast().channel != null) {
            Segment previous = segments.getLast();
            previous.channel.force(false);
            previous.channel.close();
            previous.channel = null;
        }
        Path file = dir.resolve(String.format("%016d%s", nextIndex, SUFFIX));
        Segment segment = new Segment(file, nextIndex++);
        segment.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        writeHeader(segment.channel, nextSequence);
        segment.size = SEGMENT_HEADER;
        segment.channel.force(false);
        segments.add(segment);
        forceFolder();
    }

    private static void writeHeader(FileChannel channel, long nextSequence) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(SEGMENT_HEADER).putInt(MAGIC).putLong(nextSequence).flip();
        while (header.hasRemaining()) {
            channel.write(header);
        }
    }

    /** Makes a new file's name durable (Linux: the folder's own fsync). */
    private void forceFolder() {
        try (FileChannel folder = FileChannel.open(dir, StandardOpenOption.READ)) {
            folder.force(true);
        } catch (IOException e) {
            // some file systems refuse to open a folder; the file's content is forced either way
        }
    }

    /**
     * Once the queue is empty and the segment written to has grown past a quarter of a segment, starts a new one and
     * deletes it: a link that keeps up with its messages keeps its files small.
     */
    private void startAfresh() throws IOException {
        Segment active = segments.getLast();
        if (segments.size() == 1 && active.live <= 0 && active.size >= segmentBytes / 4) {
            startSegment();
            deleteDoneHead();
        }
    }

    /** Deletes the oldest segments while they hold no waiting message; never the one written to. */
    private void deleteDoneHead() throws IOException {
        while (segments.size() > 1 && segments.getFirst().live <= 0) {
            Segment done = segments.removeFirst();
            byFirstMessage.remove(done.firstMessage);
            if (done.channel != null) {
                done.channel.close();
            }
            Files.deleteIfExists(done.file);
        }
    }

    private void fail(Exception e) {
        failure = e instanceof IOException io ? io : new IOException(e);
        LOG.log(Level.ERROR, () -> "store " + dir + ": writing failed (" + e + "): the link goes on without its "
                + "durable queue; the messages it holds wait in memory only");
    }

    private void closeFiles() {
        for (Segment segment : segments) {
            try {
                if (segment.channel != null) {
                    segment.channel.close();
                }
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> "closing " + segment.file + " failed: " + e);
            }
        }
        try {
            fileLock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "releasing " + dir.resolve("lock") + " failed: " + e);
        }
    }

    private static int utf8Length(String text) {
        int length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                length++;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c)) {
                length += 4;
                i++;
            } else {
                length += 3;
            }
        }
        return length;
    }

    /** One segment file. Owned by the writer thread. */
    private static final class Segment {
        final Path file;
        final long index;
        /** Open for the segment written to only. */
        FileChannel channel;
        long size;
        /** Its messages not done. */
        int live;
        long firstMessage = Long.MIN_VALUE;

        Segment(Path file, long index) {
            this.file = file;
            this.index = index;
        }
    }

    /** A message read back and the segment that holds it. */
    private record Recovered(Segment segment, Stored stored) {
        Recovered sent() {
            return new Recovered(segment, new Stored(stored.sequence(), stored.topic(), stored.payload(),
                    stored.qos(), stored.retained(), true));
        }
    }

    /** A record queued to be written. */
    private record Record(byte type, long sequence, String topic, byte[] payload, int qos, boolean retained) {

        int length() {
            return type == MESSAGE ? recordBytes(topic, payload.length) : RECORD_HEADER + MARK_BODY;
        }

        void encode(ByteBuffer buffer, CRC32C crc) {
            int start = buffer.position();
            buffer.position(start + RECORD_HEADER);
            buffer.put(type).putLong(sequence);
            if (type == MESSAGE) {
                byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
                buffer.put((byte) (qos | (retained ? 4 : 0))).putShort((short) topicBytes.length).put(topicBytes)
                        .put(payload);
            }
            int end = buffer.position();
            crc.reset();
            crc.update(buffer.slice(start + RECORD_HEADER, end - start - RECORD_HEADER));
            buffer.putInt(start, end - start - RECORD_HEADER).putInt(start + 4, (int) crc.getValue());
        }
    }
}
