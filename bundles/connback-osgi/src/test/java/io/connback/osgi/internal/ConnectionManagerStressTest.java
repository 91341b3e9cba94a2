package io.connback.osgi.internal;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.Connector;
import io.connback.osgi.ConnbackProperties;
import io.connback.osgi.ConnectionListener;
import io.connback.osgi.LinkStatus;
import io.connback.osgi.ManagedConnection;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * Connector services and listeners come and go from several threads while the links flap; listeners call back into
 * their links. A watchdog fails the test, with a thread dump, on a deadlock; every thread must finish, and stopping
 * the manager must end every link.
 */
class ConnectionManagerStressTest {

    private static final Duration RUN = Duration.ofSeconds(4);
    private static final int THREADS = 4;
    private static final int NAMES = 6;

    /** Connection attempts of all connectors: none may happen once every link ended. */
    private static final AtomicInteger ATTEMPTS = new AtomicInteger();

    /** A connector that connects after a moment and whose links drop at random. */
    private static final class FlappingConnector implements Connector<Object> {
        private final AtomicInteger clients = new AtomicInteger();

        @Override
        public CompletionStage<Object> connect(Connback<Object> connback, CancellationToken token) {
            ATTEMPTS.incrementAndGet();
            CompletableFuture<Object> attempt = new CompletableFuture<>();
            CompletableFuture.delayedExecutor(ThreadLocalRandom.current().nextInt(3), MILLISECONDS)
                    .execute(() -> {
                        if (ThreadLocalRandom.current().nextInt(4) == 0) {
                            attempt.completeExceptionally(new java.net.ConnectException("refused"));
                            return;
                        }
                        Object client = "client " + clients.incrementAndGet();
                        attempt.complete(client);
                        CompletableFuture.delayedExecutor(ThreadLocalRandom.current().nextInt(1, 20),
                                MILLISECONDS).execute(() -> connback.feedClose(client, false));
                    });
            return attempt;
        }

        @Override
        public void close(Object client, boolean force) {}
    }

    /** The service registrations the manager made, so that the test can see what it left behind. */
    private final Map<Object, Map<String, Object>> registered = new ConcurrentHashMap<>();

    @Test
    void registrationsFromSeveralThreadsWhileLinksFlapNeitherDeadlockNorLeaveALinkRunning() throws Exception {
        ConnectionManager manager = new ConnectionManager(context(), Map.of());
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<String> deadlock = new AtomicReference<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Thread watchdog = new Thread(() -> {
            while (running.get()) {
                long[] locked = ManagementFactory.getThreadMXBean().findDeadlockedThreads();
                if (locked != null) {
                    deadlock.set(dump());
                    running.set(false);
                    return;
                }
                sleep(100);
            }
        }, "stress-watchdog");
        watchdog.start();

        List<Thread> workers = new ArrayList<>();
        AtomicInteger operations = new AtomicInteger();
        for (int t = 0; t < THREADS; t++) {
            Thread worker = new Thread(() -> {
                Map<String, Connector<?>> mine = new HashMap<>();
                List<ConnectionListener> listeners = new ArrayList<>();
                try {
                    while (running.get()) {
                        operate(manager, mine, listeners);
                        operations.incrementAndGet();
                    }
                    mine.forEach((name, connector) ->
                            manager.removeConnector(connector, properties(name), reference()));
                    listeners.forEach(manager::removeListener);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "stress-worker-" + t);
            workers.add(worker);
            worker.start();
        }
        long deadline = System.nanoTime() + RUN.toNanos();
        while (running.get() && System.nanoTime() < deadline) {
            sleep(50);
        }
        running.set(false);
        for (Thread worker : workers) {
            worker.join(10_000);
            assertThat(worker.isAlive()).as("%s finished; threads:%n%s", worker.getName(), dump()).isFalse();
        }
        watchdog.join(1_000);
        assertThat(deadlock.get()).as("deadlock").isNull();
        assertThat(failures).isEmpty();

        assertThat(manager.all()).as("no link left once every connector left").isEmpty();
        assertThat(registered).as("no ManagedConnection left registered").isEmpty();
        long stopping = System.nanoTime();
        manager.deactivate();
        assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(5));
        int attempts = ATTEMPTS.get();
        sleep(500);
        assertThat(ATTEMPTS.get()).as("attempts after every link ended (a link that nobody ends)").isEqualTo(attempts);
        System.out.println("stress: " + operations.get() + " operations by " + THREADS + " threads in "
                + RUN.toSeconds() + " s");
    }

    /** One random operation; names are shared by the threads, so claims of one name collide. */
    private void operate(ConnectionManager manager, Map<String, Connector<?>> mine,
            List<ConnectionListener> listeners) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String name = "link" + random.nextInt(NAMES);
        switch (random.nextInt(6)) {
            case 0, 1 -> {
                if (!mine.containsKey(name)) {
                    FlappingConnector connector = new FlappingConnector();
                    mine.put(name, connector);
                    manager.addConnector(connector, properties(name));
                }
            }
            case 2 -> {
                Connector<?> connector = mine.remove(name);
                if (connector != null) {
                    manager.removeConnector(connector, properties(name), reference());
                }
            }
            case 3 -> {
                Connector<?> connector = mine.get(name);
                if (connector != null) {
                    Map<String, Object> changed = properties(name);
                    changed.put("initialDelay", 1 + random.nextInt(3));
                    manager.updatedConnector(connector, changed);
                }
            }
            case 4 -> {
                ConnectionListener listener = new ConnectionListener() {
                    @Override
                    public void onConnect(ManagedConnection connection) {
                        connection.link();
                        if (ThreadLocalRandom.current().nextInt(10) == 0) {
                            connection.reconnect();
                        }
                    }

                    @Override
                    public void onStatus(ManagedConnection connection, LinkStatus status) {
                        manager.status(connection.name());
                    }
                };
                listeners.add(listener);
                manager.addListener(listener, Map.of());
            }
            default -> {
                if (!listeners.isEmpty()) {
                    manager.removeListener(listeners.remove(random.nextInt(listeners.size())));
                }
            }
        }
    }

    /** The connector services of one thread carry that thread's PID: threads claiming one name collide. */
    private static Map<String, Object> properties(String name) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(ConnbackProperties.NAME, name);
        properties.put(ConnbackProperties.TYPE, "tcp");
        properties.put("service.pid", "io.connback.tcp~" + name + "-" + Thread.currentThread().getName());
        properties.put("initialDelay", "1");
        properties.put("maxDelay", "5");
        properties.put("keepalive", "0");
        return properties;
    }

    /** A reference whose bundle is active: the connector's configuration is gone. */
    private static ServiceReference<?> reference() {
        Bundle active = proxy(Bundle.class, (method, args) -> method.equals("getState") ? Bundle.ACTIVE : null);
        return proxy(ServiceReference.class, (method, args) -> method.equals("getBundle") ? active : null);
    }

    private BundleContext context() {
        return proxy(BundleContext.class, (method, args) -> {
            if (method.equals("registerService")) {
                Object service = args[1];
                @SuppressWarnings("unchecked")
                java.util.Dictionary<String, Object> properties = (java.util.Dictionary<String, Object>) args[2];
                registered.put(service, Map.of(ConnbackProperties.NAME, properties.get(ConnbackProperties.NAME)));
                return registration(service, properties);
            }
            return null;
        });
    }

    private ServiceRegistration<?> registration(Object service, java.util.Dictionary<String, Object> properties) {
        ServiceReference<?> reference = proxy(ServiceReference.class,
                (method, args) -> method.equals("getProperty") ? properties.get((String) args[0]) : null);
        return proxy(ServiceRegistration.class, (method, args) -> {
            switch (method) {
                case "unregister" -> {
                    if (registered.remove(service) == null) {
                        throw new IllegalStateException("already unregistered");
                    }
                }
                case "getReference" -> {
                    return reference;
                }
                default -> {
                    return null;
                }
            }
            return null;
        });
    }

    /** Answers a call by the method's name. */
    private interface Answer {
        Object answer(String method, Object[] args);
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Answer answer) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            switch (method.getName()) {
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "toString" -> {
                    return type.getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(proxy));
                }
                default -> {
                    return answer.answer(method.getName(), args);
                }
            }
        });
    }

    private static String dump() {
        return Arrays.stream(ManagementFactory.getThreadMXBean().dumpAllThreads(true, true))
                .map(ThreadInfo::toString).collect(Collectors.joining());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
