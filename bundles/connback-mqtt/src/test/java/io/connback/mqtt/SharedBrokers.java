package io.connback.mqtt;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

/** One started broker of each kind for the tests of a class: started when a test first asks, closed after the class. */
final class SharedBrokers implements AutoCloseable {

    private final Function<TestBroker, TestBroker> configuration;
    private final Map<BrokerKind, TestBroker> started = new EnumMap<>(BrokerKind.class);

    /** @param configuration configures a new broker before it is started, and returns it */
    SharedBrokers(Function<TestBroker, TestBroker> configuration) {
        this.configuration = configuration;
    }

    synchronized TestBroker get(BrokerKind kind) {
        TestBroker broker = started.get(kind);
        if (broker == null) {
            broker = kind.create();
            try {
                configuration.apply(broker).start();
            } catch (RuntimeException | Error e) {
                broker.close();
                throw e;
            }
            started.put(kind, broker);
        }
        return broker;
    }

    @Override
    public synchronized void close() {
        started.values().forEach(TestBroker::close);
        started.clear();
    }
}
