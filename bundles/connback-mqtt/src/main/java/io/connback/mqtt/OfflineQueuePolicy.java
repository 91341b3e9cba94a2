package io.connback.mqtt;

import java.util.Locale;

/** What a publish does when the queue of messages waiting to be sent is full. */
public enum OfflineQueuePolicy {

    /**
     * The oldest waiting message is dropped to make room: the newest data is kept, as telemetry wants. Configured as
     * {@code dropOldest}.
     */
    DROP_OLDEST("dropOldest"),

    /** The new message is refused: what was published first is sent first. Configured as {@code refuse}. */
    REFUSE("refuse");

    private final String configName;

    OfflineQueuePolicy(String configName) {
        this.configName = configName;
    }

    /**
     * Reads a policy by its configuration name, in any case.
     *
     * @param name {@code dropOldest} or {@code refuse}
     * @return the policy
     * @throws IllegalArgumentException if the name is neither
     */
    public static OfflineQueuePolicy named(String name) {
        for (OfflineQueuePolicy policy : values()) {
            if (policy.configName.toLowerCase(Locale.ROOT).equals(name.trim().toLowerCase(Locale.ROOT))) {
                return policy;
            }
        }
        throw new IllegalArgumentException("expected dropOldest or refuse");
    }

    /**
     * The name of the policy in configuration files.
     *
     * @return {@code dropOldest} or {@code refuse}
     */
    @Override
    public String toString() {
        return configName;
    }
}
