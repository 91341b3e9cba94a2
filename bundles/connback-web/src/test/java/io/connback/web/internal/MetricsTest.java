package io.connback.web.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.connback.ConnectionState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MetricsTest {

    /** Debian's prometheus package, which .ci/install-test-tools installs. */
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    private static String sample() {
        OutageHistogram outages = new OutageHistogram();
        outages.observe(java.time.Duration.ofMillis(1500));
        return Metrics.write(List.of(Status.of("m1", ConnectionState.CONNECTED, T).required(true),
                Status.of("we\"ird\\name\n", ConnectionState.RECONNECTING, T), Status.refused("bad", "x")),
                name -> name.equals("m1") ? outages.snapshot() : OutageHistogram.Snapshot.EMPTY);
    }

    @Test
    void stateGaugeCountersHistogramAndJvm() {
        String text = sample();
        assertThat(text).contains("# TYPE connback_link_state gauge\n",
                "connback_link_state{link=\"m1\",state=\"CONNECTED\"} 1\n",
                "connback_link_state{link=\"m1\",state=\"RECONNECTING\"} 0\n",
                "connback_link_state{link=\"bad\",state=\"REFUSED\"} 1\n",
                "connback_link_required{link=\"m1\"} 1\n",
                "# TYPE connback_link_connects_total counter\n", "connback_link_connects_total{link=\"m1\"} 3\n",
                "connback_link_drops_total{link=\"m1\"} 2\n", "connback_link_failed_attempts_total{link=\"m1\"} 5\n",
                "connback_link_frames_received_total{link=\"m1\"} 10\n",
                "connback_link_received_bytes_total{link=\"m1\"} 100\n",
                "connback_link_frames_sent_total{link=\"m1\"} 1\n", "connback_link_sent_bytes_total{link=\"m1\"} 4\n",
                "# TYPE connback_link_outage_seconds histogram\n",
                "connback_link_outage_seconds_bucket{link=\"m1\",le=\"1\"} 0\n",
                "connback_link_outage_seconds_bucket{link=\"m1\",le=\"2\"} 1\n",
                "connback_link_outage_seconds_bucket{link=\"m1\",le=\"+Inf\"} 1\n",
                "connback_link_outage_seconds_sum{link=\"m1\"} 1.5\n",
                "connback_link_outage_seconds_count{link=\"m1\"} 1\n",
                "connback_link_state{link=\"we\\\"ird\\\\name\\n\",state=\"CONNECTED\"} 0\n",
                "jvm_memory_used_bytes{area=\"heap\"} ", "jvm_threads_current ", "process_start_time_seconds ");
    }

    @Test
    void promtoolFindsNoProblem() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(PROMTOOL), PROMTOOL + " is absent (Debian's prometheus package; "
                + ".ci/install-test-tools installs it): the format is not checked by promtool");
        assertThat(promtool(sample())).isEmpty();
    }

    /** What {@code promtool check metrics} says of a text: empty if it finds nothing wrong. */
    static String promtool(String metrics) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true)
                .start();
        process.getOutputStream().write(metrics.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return process.exitValue() == 0 ? output.strip() : "exit " + process.exitValue() + ": " + output;
    }
}
