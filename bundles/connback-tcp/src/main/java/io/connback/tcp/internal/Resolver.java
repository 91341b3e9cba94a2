package io.connback.tcp.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Resolves host names off the selector thread and off the Connback threads, since a lookup blocks (for seconds when a
 * DNS server does not answer). A few daemon threads named {@code connback-tcp-resolver-N} do it; they end when idle.
 * IP address literals are never looked up.
 */
public final class Resolver {

    /** The resolver of every TCP link. */
    public static final Resolver SHARED = new Resolver("connback-tcp-resolver", 2, 64, TimeUnit.SECONDS.toNanos(2));

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_.])?");
    private static final Pattern DOTS_AND_DIGITS = Pattern.compile("[0-9.]+");
    private static final int MAX_NAME_LENGTH = 253;

    private final ThreadPoolExecutor executor;
    /** Lookups running or waiting, by host: links to the same host share one (a gateway's links often do). */
    private final Map<String, CompletableFuture<InetAddress>> inFlight = new ConcurrentHashMap<>();

    /**
     * Creates a resolver; its threads start with the first lookup.
     *
     * @param threadName the name of its threads, numbered from 1: {@code threadName-N}
     * @param threads how many lookups run at once
     * @param queued how many lookups may wait beyond those; more fail at once
     * @param idleNanos how long an idle thread lives
     */
    public Resolver(String threadName, int threads, int queued, long idleNanos) {
        AtomicInteger count = new AtomicInteger();
        executor = new ThreadPoolExecutor(threads, threads, idleNanos, TimeUnit.NANOSECONDS,
                new LinkedBlockingQueue<>(queued), task -> {
                    Thread thread = new Thread(task, threadName + "-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    /**
     * Resolves a host: at once for an IP address literal, else on a resolver thread. A call looks up anew unless a
     * lookup of the same host is running, whose answer it shares (the JDK's own cache applies too), so that a device
     * whose address changed is found at the next attempt, and a thousand links to one host make one lookup.
     *
     * @param host a host name or an IP address literal, checked with {@link #checkHost(String)}
     * @return a stage completed with the address, or with an {@link UnknownHostException}, or with a
     *     {@link RejectedExecutionException} if too many lookups wait
     */
    public CompletableFuture<InetAddress> resolve(String host) {
        Optional<InetAddress> literal = literal(host);
        if (literal.isPresent()) {
            return CompletableFuture.completedFuture(literal.get());
        }
        CompletableFuture<InetAddress> lookup = inFlight.computeIfAbsent(host, this::lookUp);
        lookup.whenComplete((address, error) -> inFlight.remove(host, lookup));
        return lookup.copy();
    }

    private CompletableFuture<InetAddress> lookUp(String host) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return InetAddress.getByName(host);
                } catch (UnknownHostException e) {
                    throw new CompletionException(e);
                }
            }, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new RejectedExecutionException("cannot resolve " + host + ": "
                    + executor.getQueue().size() + " host name lookups wait already (is DNS answering?)", e));
        }
    }

    /**
     * Checks that a host is a host name or an IP address literal, without looking it up.
     *
     * @param host the host; an IPv6 literal may be in brackets
     * @return the host, IPv6 brackets removed
     * @throws IllegalArgumentException saying what is wrong (not naming the value)
     */
    public static String checkHost(String host) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("a host name or IP address is required");
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.indexOf(':') >= 0) {
            try {
                InetAddress.getByName("[" + bare + "]"); // brackets: parsed as IPv6 or rejected, never looked up
                return bare;
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IPv6 address");
            }
        }
        if (DOTS_AND_DIGITS.matcher(bare).matches()) {
            if (ipv4(bare).isEmpty()) {
                throw new IllegalArgumentException("not an IPv4 address (four numbers 0 to 255, separated by dots)");
            }
            return bare;
        }
        if (bare.length() > MAX_NAME_LENGTH || !NAME.matcher(bare).matches() || bare.contains("..")) {
            throw new IllegalArgumentException("not a host name or IP address");
        }
        return bare;
    }

    /**
     * The address of an IP address literal, without any lookup.
     *
     * @param host a host checked with {@link #checkHost(String)}
     * @return the address, or empty if {@code host} is a name
     */
    public static Optional<InetAddress> literal(String host) {
        if (host.indexOf(':') >= 0) {
            try {
                return Optional.of(InetAddress.getByName("[" + host + "]"));
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        return DOTS_AND_DIGITS.matcher(host).matches() ? ipv4(host) : Optional.empty();
    }

    /** Parses a dotted quad strictly: {@code InetAddress} would look up what it cannot parse. */
    private static Optional<InetAddress> ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        byte[] address = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 3 || Integer.parseInt(parts[i]) > 255) {
                return Optional.empty();
            }
            address[i] = (byte) Integer.parseInt(parts[i]);
        }
        try {
            return Optional.of(InetAddress.getByAddress(address));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are an IPv4 address", e);
        }
    }
}
