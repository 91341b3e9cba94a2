package io.connback.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResolverTest {

    private final Resolver resolver = new Resolver("test-resolver", 1, 4, TimeUnit.MILLISECONDS.toNanos(200));

    @Test
    void anAddressLiteralIsResolvedAtOnceWithoutALookup() throws Exception {
        CompletableFuture<InetAddress> ipv4 = resolver.resolve("127.0.0.1");
        CompletableFuture<InetAddress> ipv6 = resolver.resolve("::1");

        assertThat(ipv4).isCompletedWithValue(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
        assertThat(ipv6.getNow(null).isLoopbackAddress()).isTrue();
    }

    @Test
    void aHostNameIsLookedUpOnAResolverThreadThatEndsWhenIdle() throws Exception {
        InetAddress localhost = resolver.resolve("localhost").get(5, TimeUnit.SECONDS);

        assertThat(localhost.isLoopbackAddress()).isTrue();
        assertThat(resolverThreads()).isEqualTo(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (resolverThreads() > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        assertThat(resolverThreads()).as("resolver threads after 5 s idle").isZero();
    }

    /** With one resolver thread and room for 4 waiting lookups, 1,000 links to one host all get its address. */
    @Test
    void manyLookupsOfOneHostShareOneLookup() throws Exception {
        List<CompletableFuture<InetAddress>> lookups = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            lookups.add(resolver.resolve("localhost"));
        }
        for (CompletableFuture<InetAddress> lookup : lookups) {
            assertThat(lookup.get(5, TimeUnit.SECONDS).isLoopbackAddress()).isTrue();
        }
    }

    private static long resolverThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("test-resolver-")).count();
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "meter-3.plant.example", "plc_1", "device.", "10.0.0.255", "0.0.0.0",
        "::1", "fe80::1%1", "2001:db8::8a2e:370:7334"})
    void acceptsNamesAndAddresses(String host) {
        assertThat(Resolver.checkHost(host)).isEqualTo(host);
    }

    @Test
    void removesTheBracketsOfAnIpv6Address() {
        assertThat(Resolver.checkHost("[::1]")).isEqualTo("::1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a b", "-device", "device..example", "1.2.3", "1.2.3.4.5", "256.0.0.1",
        "1..2.3", "::zz", "[::1", "host:502", "http://device"})
    void refusesWhatIsNeitherWithoutLookingItUp(String host) {
        assertThatIllegalArgumentException().isThrownBy(() -> Resolver.checkHost(host));
    }
}
