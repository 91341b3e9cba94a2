package io.connback.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable store's files: read back, repaired after a crash, bounded, locked. */
class MessageLogTest {

    @TempDir
    Path folder;

    private StoreSettings settings(Duration sync) {
        return new StoreSettings(folder.resolve("link1"), 1L << 20, sync);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> texts(MessageLog.Opened opened) {
        return opened.waiting().stream().map(stored -> new String(stored.payload(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void readsBackTheMessagesNotDoneInOrderWithThoseSentMarked() throws IOException {
        MessageLog.Opened first = MessageLog.open(settings(Duration.ofMillis(100)));
        assertThat(first.waiting()).isEmpty();
        try (MessageLog log = first.log()) {
            for (int i = 0; i < 5; i++) {
                log.message(i, "t/" + i, utf8("m" + i), 1 + i % 2, i == 4);
            }
            log.sent(0);
            log.sent(1);
            log.done(0);
            log.done(2);
        }

        MessageLog.Opened second = closed(MessageLog.open(settings(Duration.ofMillis(100))));
        {
            assertThat(texts(second)).containsExactly("m1", "m3", "m4");
            assertThat(second.waiting()).extracting(MessageLog.Stored::sequence, MessageLog.Stored::topic,
                    MessageLog.Stored::qos, MessageLog.Stored::retained, MessageLog.Stored::sent)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "t/1", 2, false, true),
                            org.assertj.core.groups.Tuple.tuple(3L, "t/3", 2, false, false),
                            org.assertj.core.groups.Tuple.tuple(4L, "t/4", 1, true, false));
            assertThat(second.possibleDuplicates()).isEqualTo(1);
            assertThat(second.nextSequence()).isEqualTo(5);
            assertThat(second.bytes()).isEqualTo(3 * MessageLog.recordBytes("t/1", 2));
        }
    }

    @Test
    void alwaysForcesEveryBatchAndIntervalForcesAtMostOncePerInterval() throws Exception {
        try (MessageLog always = MessageLog.open(settings(Duration.ZERO)).log()) {
            for (int i = 0; i < 20; i++) {
                always.message(i, "t", utf8("m" + i), 1, false);
                awaitSyncs(always, i + 1);
            }
        }
        Path other = folder.resolve("link2");
        try (MessageLog interval = MessageLog.open(new StoreSettings(other, 1L << 20, Duration.ofSeconds(30)))
                .log()) {
            for (int i = 0; i < 1000; i++) {
                interval.message(i, "t", utf8("m" + i), 1, false);
            }
            Thread.sleep(200);
            assertThat(interval.syncs()).as("no sync before the interval").isZero();
        }
        assertThat(MessageLog.open(new StoreSettings(other, 1L << 20, Duration.ofSeconds(30))).waiting())
                .as("close wrote and forced all").hasSize(1000);
    }

    private static void awaitSyncs(MessageLog log, long count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (log.syncs() < count) {
            assertThat(System.nanoTime() - deadline).as("sync #%d", count).isNegative();
            Thread.sleep(1);
        }
    }

    @Test
    void aRecordCutShortIsCutOffKeepingTheGoodPrefixWithOneLineSayingSo() throws IOException {
        try (MessageLog log = MessageLog.open(settings(Duration.ZERO)).log()) {
            IntStream.range(0, 10).forEach(i -> log.message(i, "t", utf8("m" + i), 1, false));
        }
        Path segment = onlySegmentWithRecords();
        long size = Files.size(segment);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(size - 3); // the last record loses its last bytes, as a write cut off by a crash
        }

        MessageLog.Opened opened;
        try (LogCapture logged = new LogCapture()) {
            opened = MessageLog.open(settings(Duration.ZERO));
            opened.log().close();
            assertThat(logged.lines).hasSize(1);
            assertThat(logged.lines.get(0)).startsWith("WARNING store ").contains(segment.getFileName().toString(),
                    "a record cut short", "kept the 9 records before it");
        }
        assertThat(texts(opened)).containsExactlyElementsOf(IntStream.range(0, 9).mapToObj(i -> "m" + i).toList());
        assertThat(Files.size(segment)).isEqualTo(size - MessageLog.recordBytes("t", 2));

        try (LogCapture logged = new LogCapture()) {
            MessageLog.Opened again = MessageLog.open(settings(Duration.ZERO));
            again.log().close();
            assertThat(texts(again)).hasSize(9);
            assertThat(logged.lines).as("repaired once").isEmpty();
        }
    }

    @Test
    void aTailOfZerosOrAFlippedByteIsCutOffToo() throws IOException {
        try (MessageLog log = MessageLog.open(settings(Duration.ZERO)).log()) {
            IntStream.range(0, 4).forEach(i -> log.message(i, "t", utf8("m" + i), 1, false));
        }
        Path segment = onlySegmentWithRecords();
        Files.write(segment, new byte[100], StandardOpenOption.APPEND); // a size extended, data never written
        try (LogCapture logged = new LogCapture()) {
            assertThat(texts(closed(MessageLog.open(settings(Duration.ZERO))))).hasSize(4);
            assertThat(logged.containing("a record of length 0")).hasSize(1);
        }

        byte[] content = Files.readAllBytes(segment);
        content[content.length - 1] ^= 1; // the last payload byte
        Files.write(segment, content);
        try (LogCapture logged = new LogCapture()) {
            assertThat(texts(closed(MessageLog.open(settings(Duration.ZERO))))).containsExactly("m0", "m1", "m2");
            assertThat(logged.containing("whose CRC does not match")).hasSize(1);
        }
    }

    private static MessageLog.Opened closed(MessageLog.Opened opened) {
        opened.log().close();
        return opened;
    }

    @Test
    void segmentsGoOnceTheirMessagesAreDoneSoTheFilesStayBounded() throws IOException {
        StoreSettings small = new StoreSettings(folder.resolve("small"), 64L << 10, Duration.ofMillis(100));
        byte[] payload = new byte[100];
        try (MessageLog log = MessageLog.open(small).log()) {
            for (int i = 0; i < 20_000; i++) { // about 2.5 MB through a store of 64 KiB
                log.message(i, "t", payload, 1, false);
                log.sent(i);
                log.done(i);
            }
        }
        assertThat(folderBytes(small.dir())).as("what is left: less than a quarter of a segment")
                .isLessThan(MessageLog.segmentBytes(small.maxBytes()) / 4 + 200);
        MessageLog.Opened opened = closed(MessageLog.open(small));
        assertThat(opened.waiting()).isEmpty();
        assertThat(opened.nextSequence()).isEqualTo(20_000);
    }

    @Test
    void aFolderInUseIsRefusedAndOneThatCannotBeMadeToo() throws IOException {
        MessageLog inUse = MessageLog.open(settings(Duration.ZERO)).log();
        try {
            assertThatThrownBy(() -> MessageLog.open(settings(Duration.ZERO))).isInstanceOf(IOException.class)
                    .hasMessageContaining("locked");
        } finally {
            inUse.close();
        }
        Path file = Files.writeString(folder.resolve("a-file"), "not a folder");
        assertThatThrownBy(() -> MessageLog.open(new StoreSettings(file.resolve("link"), 1L << 20, Duration.ZERO)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aFileThatIsNotASegmentIsRefusedAndKept() throws IOException {
        Path dir = Files.createDirectories(folder.resolve("link1"));
        Files.writeString(dir.resolve("0000000000000000.seg"), "something else entirely");
        assertThatThrownBy(() -> MessageLog.open(settings(Duration.ZERO))).isInstanceOf(IOException.class)
                .hasMessageContaining("not a store segment");
        assertThat(Files.readString(dir.resolve("0000000000000000.seg"))).isEqualTo("something else entirely");
    }

    private Path onlySegmentWithRecords() throws IOException {
        try (Stream<Path> files = Files.list(folder.resolve("link1"))) {
            List<Path> segments = files.filter(file -> file.toString().endsWith(".seg")).sorted().toList();
            return segments.get(0);
        }
    }

    private static long folderBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(file -> file.toFile().length()).sum();
        }
    }
}
