package io.connback.folders.internal.conf;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The configuration PIDs that the installed components read.
 *
 * @param pids every PID read: a file with another is read by nothing
 * @param named the PIDs to name to an operator whose file matches none: those a component declares (a connector's
 *     {@code io.connback.tcp}), not the default ones that every component has (its class name)
 */
record Readers(Set<String> pids, Set<String> named) {

    /**
     * The PIDs, copied in their order.
     *
     * @param pids every PID read
     * @param named the PIDs to name, among them
     */
    Readers {
        pids = Collections.unmodifiableSortedSet(new TreeSet<>(pids));
        named = Collections.unmodifiableSortedSet(new TreeSet<>(named));
    }

    /**
     * Whether a component reads a PID.
     *
     * @param pid the (factory) PID
     * @return {@code true} if an installed component reads it
     */
    boolean read(String pid) {
        return pids.contains(pid);
    }

    /**
     * The PIDs to name, or all of them if none is declared.
     *
     * @return the text of the list, e.g. {@code io.connback.mqtt, io.connback.serial, io.connback.tcp}
     */
    String known() {
        Set<String> shown = named.isEmpty() ? pids : named;
        return shown.isEmpty() ? "none" : String.join(", ", shown);
    }
}
