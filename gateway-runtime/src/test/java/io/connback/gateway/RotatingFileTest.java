package io.connback.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingFileTest {

    /** 9 characters and a line feed. */
    private static final String LINE = "123456789";
    private static final int LINE_BYTES = LINE.length() + System.lineSeparator().length();

    @TempDir
    Path folder;

    @Test
    void rotatesBeforeALineWouldPassTheSizeAndKeepsTheCountOfFiles() throws IOException {
        Path log = folder.resolve("log/gateway.log");
        RotatingFile file = new RotatingFile(log, 3L * LINE_BYTES, 3);
        for (int i = 0; i < 11; i++) {
            file.writeLine(LINE.substring(0, 8) + (i % 10));
        }
        assertThat(names()).containsExactly("gateway.log", "gateway.log.1", "gateway.log.2");
        assertThat(Files.readAllLines(log, StandardCharsets.UTF_8)).containsExactly("123456789", "123456780");
        assertThat(Files.readAllLines(log.resolveSibling("gateway.log.1"), StandardCharsets.UTF_8))
                .containsExactly("123456786", "123456787", "123456788");
        assertThat(Files.readAllLines(log.resolveSibling("gateway.log.2"), StandardCharsets.UTF_8))
                .containsExactly("123456783", "123456784", "123456785");
        for (String name : names()) {
            assertThat(Files.size(log.resolveSibling(name))).isLessThanOrEqualTo(3L * LINE_BYTES);
        }
    }

    @Test
    void appendsToTheFileOfAnEarlierRunAndCountsItsSize() throws IOException {
        Path log = folder.resolve("gateway.log");
        Files.writeString(log, LINE + System.lineSeparator() + LINE + System.lineSeparator());
        RotatingFile file = new RotatingFile(log, 3L * LINE_BYTES, 2);
        file.writeLine("third");
        file.writeLine("fourth");
        assertThat(Files.readAllLines(log, StandardCharsets.UTF_8)).containsExactly("fourth");
        assertThat(Files.readAllLines(folder.resolve("gateway.log.1"), StandardCharsets.UTF_8))
                .containsExactly(LINE, LINE, "third");
    }

    @Test
    void oneFileStartsOverAndALongerLineThanTheSizeStillGoesWhole() throws IOException {
        Path log = folder.resolve("gateway.log");
        RotatingFile file = new RotatingFile(log, LINE_BYTES, 1);
        file.writeLine(LINE);
        file.writeLine(LINE + LINE);
        assertThat(names()).containsExactly("gateway.log");
        assertThat(Files.readAllLines(log, StandardCharsets.UTF_8)).containsExactly(LINE + LINE);
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).map(file -> file.getFileName().toString()).sorted().toList();
        }
    }
}
