package io.connback.mqtt;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The brokers the tests run against. */
enum BrokerKind {
    /** Embedded in the test's JVM: always there. */
    MOQUETTE("Moquette"),
    /** A process of its own, when installed: the tests against it are skipped otherwise. */
    MOSQUITTO("Mosquitto");

    private final String name;

    BrokerKind(String name) {
        this.name = name;
    }

    /** A new broker of this kind, not started yet; aborts the test (skipped) if this kind is not installed. */
    TestBroker create() {
        return switch (this) {
            case MOQUETTE -> new MoquetteBroker();
            case MOSQUITTO -> {
                assumeTrue(MosquittoBroker.installed(), "mosquitto is not installed (neither on the PATH nor in "
                        + "/usr/sbin): the test against Mosquitto is skipped; .ci/install-test-tools installs it");
                yield new MosquittoBroker();
            }
        };
    }

    @Override
    public String toString() {
        return name;
    }
}
