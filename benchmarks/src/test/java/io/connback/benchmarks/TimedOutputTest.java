package io.connback.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How the cold-start run reads a child's console: {@link TimedOutput} and the gateway's CONNECTED lines. */
class TimedOutputTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final long origin = System.nanoTime();
    private final PipedOutputStream child = new PipedOutputStream();
    private final TimedOutput output;

    TimedOutputTest() throws IOException {
        output = new TimedOutput(new PipedInputStream(child), origin, "test-output-reader");
    }

    @Test
    void countsEachLinkOnceAndTimesTheLineThatCompletesTheCount() throws Exception {
        write("2026-11-25 22:32:31.512 INFO    io.connback.gateway.links: link cold-1 CONNECTED via 127.0.0.1:4000",
                "link cold-1 DISCONNECTED",
                "link cold-1 CONNECTED via 127.0.0.1:4000 after 1 attempt",
                "gateway started in 700 ms: 13 bundles");
        assertThat(output.awaitDistinct(ColdStartRun::connectedLink, 1, TIMEOUT, "one link")).isNotNegative();
        long beforeSecondLink = System.nanoTime() - origin;

        write("link cold-2 CONNECTED via 127.0.0.1:4000");

        assertThat(output.awaitDistinct(ColdStartRun::connectedLink, 2, TIMEOUT, "two links"))
                .isGreaterThanOrEqualTo(beforeSecondLink);
        child.close();
        assertThatThrownBy(() -> output.awaitDistinct(ColdStartRun::connectedLink, 3, TIMEOUT, "three links"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the output ended waiting for three links (2 of 3 seen)");
    }

    @Test
    void aLineAwaitedAgainIsFoundAmongTheLinesAlreadyRead() throws Exception {
        long beforeWrite = System.nanoTime() - origin;
        write("felix-floor started in 400 ms: 10 bundles");

        long read = output.awaitLine(line -> line.startsWith(FelixFloor.STARTED), TIMEOUT, "the start line");
        write("link cold-1 CONNECTED via 127.0.0.1:4000");
        output.awaitDistinct(ColdStartRun::connectedLink, 1, TIMEOUT, "a later line");

        assertThat(read).isGreaterThanOrEqualTo(beforeWrite);
        assertThat(output.awaitLine(line -> line.startsWith(FelixFloor.STARTED), TIMEOUT, "the start line again"))
                .isEqualTo(read);
    }

    @Test
    void onlyConnectedLinesNameALink() {
        assertThat(ColdStartRun.connectedLink("... io.connback.gateway.links: link meter1 CONNECTED via /dev/ttyUSB1"))
                .isEqualTo("meter1");
        assertThat(ColdStartRun.connectedLink("link meter1 DISCONNECTED: Connection reset")).isNull();
        assertThat(ColdStartRun.connectedLink("link meter1 RECONNECTING attempt 2: not CONNECTED")).isNull();
    }

    private void write(String... lines) throws IOException {
        for (String line : lines) {
            child.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        child.flush();
    }
}
