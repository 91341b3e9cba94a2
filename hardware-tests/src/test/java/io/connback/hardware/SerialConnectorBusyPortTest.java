package io.connback.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.ConnbackOptions;
import io.connback.backoff.Jitter;
import io.connback.hardware.RecordedConnback.Kind;
import io.connback.serial.SerialConnector;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A port that another link holds: the link that cannot open it names the one that holds it. */
@EnabledOnOs(OS.LINUX)
class SerialConnectorBusyPortTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final ConnbackOptions OPTIONS = ConnbackOptions.builder().jitter(Jitter.none())
            .initialDelay(Duration.ofSeconds(5)).maxDelay(Duration.ofSeconds(10)).build();

    @RegisterExtension
    final EmulatedDevices devices = new EmulatedDevices();

    @Test
    void aLinkThatCannotOpenAPortAnotherLinkHoldsNamesThatLink() throws Exception {
        EmulatedDevice device = devices.plugIn("echo", new EchoDevice(), "ttyUSB0");
        long start = System.nanoTime();
        try (RecordedConnback holder = RecordedConnback.start(
                SerialConnector.builder().port(device.link().toString()).name("meter1").build(), OPTIONS)) {
            holder.await(Kind.CONNECT, start, TIMEOUT);
            try (RecordedConnback second = RecordedConnback.start(
                    SerialConnector.builder().port(device.link().toString()).name("meter2").build(), OPTIONS)) {
                Throwable refused = second.await(Kind.ERROR, start, TIMEOUT).error();

                assertThat(refused).hasMessageStartingWith("cannot open ")
                        .hasMessageEndingWith(": held by link meter1");
            }
        }
    }
}
