package io.connback.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

@EnabledOnOs(OS.LINUX)
class PseudoTerminalTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    @TempDir
    Path dev;

    private static byte[] everyByteValue() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    private static byte[] readFromHost(PseudoTerminal pty, int count, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[count];
        while (received.size() < count && System.nanoTime() - deadline < 0) {
            int read = pty.read(buffer, Duration.ofMillis(50));
            received.write(buffer, 0, Math.max(read, 0));
        }
        return received.toByteArray();
    }

    @Test
    void everyByteValuePassesUnchangedBothWays() throws Exception {
        try (PseudoTerminal pty = PseudoTerminal.open()) {
            // written before a host opens the port, so they meet the pty's own settings, not jSerialComm's: echo,
            // CR/LF translation or line editing (0x7F erases, 0x15 kills the line) would change them
            assertThat(pty.write(everyByteValue(), SECOND)).isEqualTo(256);
            try (HostPort host = HostPort.open(pty.slavePath())) {
                assertThat(host.read(256, SECOND)).isEqualTo(everyByteValue());
                assertThat(pty.read(new byte[512], Duration.ofMillis(100))).as("bytes echoed").isZero();

                host.write(everyByteValue());
                assertThat(readFromHost(pty, 256, SECOND)).isEqualTo(everyByteValue());
            }
        }
    }

    @Test
    void closeIsAnUnplugThatRemovesTheNodeAndTheLinks() throws Exception {
        Path byId = dev.resolve("serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0");
        Path ttyUsb = dev.resolve("ttyUSB0");
        PseudoTerminal pty = PseudoTerminal.open();
        Path slave = pty.slavePath();
        assertThat(slave.toString()).startsWith("/dev/pts/");
        assertThat(pty.linkAs(byId)).isEqualTo(byId);
        pty.linkAs(ttyUsb);
        assertThat(byId.toRealPath()).isEqualTo(slave);
        assertThat(ttyUsb.toRealPath()).isEqualTo(slave);

        pty.close();

        assertThat(slave).doesNotExist();
        assertThat(Files.exists(byId, LinkOption.NOFOLLOW_LINKS)).as("by-id link left").isFalse();
        assertThat(Files.exists(ttyUsb, LinkOption.NOFOLLOW_LINKS)).as("ttyUSB0 link left").isFalse();
        pty.close();
    }

    @Test
    void seesWhetherAHostHasThePortOpen() throws Exception {
        try (PseudoTerminal pty = PseudoTerminal.open()) {
            assertThat(pty.isHostAttached()).isFalse();
            HostPort host = HostPort.open(pty.slavePath());
            assertThat(pty.isHostAttached()).isTrue();
            host.close();
            assertThat(pty.isHostAttached()).isFalse();
        }
    }

    @Test
    void aReadReturnsZeroAtItsTimeoutAndMinusOneWhenClosedWhileWaiting() throws Exception {
        PseudoTerminal pty = PseudoTerminal.open();
        long start = System.nanoTime();
        assertThat(pty.read(new byte[16], Duration.ofMillis(200))).isZero();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(199L, 1000L);

        CompletableFuture<Integer> read = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                read.complete(pty.read(new byte[16], Duration.ofSeconds(10)));
            } catch (IOException e) {
                read.completeExceptionally(e);
            }
        }, "pty-reader");
        reader.start();
        Probes.awaitInNativeCode(reader);
        long closing = System.nanoTime();
        pty.close();
        assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing)).as("ms to wake the read")
                .isLessThan(500);
        assertThat(pty.read(new byte[16], SECOND)).as("read after close").isEqualTo(-1);
    }

    @Test
    void aWriteNobodyReadsGivesUpAtItsTimeout() throws Exception {
        try (PseudoTerminal pty = PseudoTerminal.open()) {
            long start = System.nanoTime();
            int written = pty.write(new byte[1 << 20], Duration.ofMillis(200));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(199L, 1000L);
            assertThat(written).as("bytes the pty buffered").isPositive().isLessThan(1 << 20);
        }
    }

    @Test
    void openAndCloseLeakNoFileDescriptor() throws Exception {
        Path link = dev.resolve("ttyUSB0");
        PseudoTerminal.open().close();
        long before = Probes.openFileDescriptors();
        for (int i = 0; i < 100; i++) {
            PseudoTerminal pty = PseudoTerminal.open();
            pty.linkAs(link);
            pty.close();
        }
        // a leak grows with the cycles (100 or more); the JVM itself may open or close a file meanwhile
        assertThat(Probes.openFileDescriptors()).isLessThanOrEqualTo(before + 2);
    }
}
