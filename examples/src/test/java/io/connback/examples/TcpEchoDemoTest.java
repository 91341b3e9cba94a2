package io.connback.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.connback.examples.TcpEchoDemo.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class TcpEchoDemoTest {

    /** What a user must see when the server goes away and comes back; other lines may come in between. */
    private static final List<String> CYCLE = List.of(
            "connect", "close", "offline", "reconnect", "error java.net.ConnectException", "connect");

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void linkFollowsTheLocalServerOffAndOnAgain() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Settings settings = new Settings("localhost", Settings.LOCAL_SERVER, Duration.ofSeconds(2),
                Duration.ofMillis(1500), Optional.empty());
        TcpEchoDemo demo = TcpEchoDemo.start(settings, lines::add);
        try {
            // one cycle takes about two toggles; later cycles are more chances on a loaded machine
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!containsInOrder(events(lines), CYCLE) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } finally {
            demo.stop();
        }
        assertThat(events(lines)).as(String.join("\n", lines)).containsSubsequence(CYCLE);
        assertThat(events(lines)).last().isEqualTo("end");
    }

    @Test
    void parsesTheCommandLine() {
        Settings local = Settings.parse(List.of());
        assertThat(local.port()).isEqualTo(Settings.LOCAL_SERVER);
        assertThat(local.keepalive()).isEqualTo(Duration.ofSeconds(2));
        assertThat(local.runFor()).isEmpty();

        Settings external = Settings.parse(List.of("--port", "7000", "--host", "gw.local", "--seconds", "30",
                "--keepalive", "0"));
        assertThat(external.host()).isEqualTo("gw.local");
        assertThat(external.port()).isEqualTo(7000);
        assertThat(external.runFor()).contains(Duration.ofSeconds(30));
        assertThat(external.keepalive()).isZero();

        assertThatIllegalArgumentException().isThrownBy(() -> Settings.parse(List.of("--host", "gw.local")))
                .withMessage("--host needs --port");
        assertThatIllegalArgumentException().isThrownBy(() -> Settings.parse(List.of("--port", "70000")))
                .withMessage("--port must be a whole number from 1 to 65535, not 70000");
        assertThatIllegalArgumentException().isThrownBy(() -> Settings.parse(List.of("--seconds")))
                .withMessage("--seconds needs a value");
        assertThatIllegalArgumentException().isThrownBy(() -> Settings.parse(List.of("--verbose", "1")))
                .withMessage("unknown option --verbose");
    }

    /** The event of each line ({@code HH:mm:ss.SSS  event  detail}), with the exception's class for an error. */
    private static List<String> events(List<String> lines) {
        return lines.stream()
                .map(line -> line.split("\\s+"))
                .map(fields -> fields[1].equals("error") ? "error " + fields[2].replaceAll(":$", "") : fields[1])
                .toList();
    }

    private static boolean containsInOrder(List<String> events, List<String> expected) {
        int matched = 0;
        for (String event : events) {
            if (matched < expected.size() && event.equals(expected.get(matched))) {
                matched++;
            }
        }
        return matched == expected.size();
    }
}
