package io.connback.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for test servers that stop and start again while clients reconnect to them.
 *
 * <p>A port from {@code new ServerSocket(0)} lies in the kernel's ephemeral range, the same range from which client
 * sockets get their local port. While such a server is down, a client reconnecting to it on loopback can be given
 * that very port as its own and connect to itself (a TCP "simultaneous open"): the client is then connected to
 * nothing, and the server cannot listen again. A port below the ephemeral range cannot be a client's local port.
 */
public final class LoopbackPorts {

    private static final int LOWEST = 10_000;
    private static final int ATTEMPTS = 200;

    private LoopbackPorts() {}

    /**
     * A port that is free on the loopback address now and that no client socket can be given.
     *
     * @return a port below the ephemeral range
     * @throws UncheckedIOException if no free port was found
     */
    public static int belowEphemeralRange() {
        int ceiling = ephemeralRangeStart();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = random.nextInt(LOWEST, ceiling);
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (IOException taken) {
                // try another one
            }
        }
        throw new UncheckedIOException(new IOException("no free loopback port found in " + LOWEST + "-" + ceiling));
    }

    private static int ephemeralRangeStart() {
        try {
            // Files.readString returns only the first byte of this procfs file on JDK 17: read it by lines
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768; // Linux's default; other systems start higher
        }
    }
}
