package io.connback.osgi.internal;

import io.connback.link.Link;
import io.connback.osgi.ManagedConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The gateway's console commands for links, in the Gogo scope {@code connback}: {@code list}, {@code info <name>},
 * {@code reconnect <name>}, {@code end <name>}. They read and drive the {@link ManagedConnection} services; they run
 * on the console's thread and only post to the links, so none blocks.
 */
@Component(service = LinkCommands.class, property = {
    "osgi.command.scope=connback",
    "osgi.command.function=list",
    "osgi.command.function=info",
    "osgi.command.function=reconnect",
    "osgi.command.function=end"})
public final class LinkCommands {

    private final List<ManagedConnection> connections = new CopyOnWriteArrayList<>();

    /** Made by SCR; the links arrive through {@link #add(ManagedConnection)}. */
    public LinkCommands() {}

    /**
     * Takes a link that appeared.
     *
     * @param connection the link
     */
    @Reference(name = "connection", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void add(ManagedConnection connection) {
        connections.add(connection);
    }

    void remove(ManagedConnection connection) {
        connections.remove(connection);
    }

    /**
     * One line per link: name, type, state, for how long, where.
     *
     * @return the table
     */
    public String list() {
        if (connections.isEmpty()) {
            return "no link configured (drop a .cfg file into conf/)";
        }
        Instant now = Instant.now();
        return connections.stream().sorted(Comparator.comparing(ManagedConnection::name))
                .map(c -> String.format("%-16s %-7s %-13s %-10s %s", c.name(), c.type(), c.state(),
                        age(c.since(), now), c.link().map(Link::remote).orElse("")))
                .collect(Collectors.joining("\n", String.format("%-16s %-7s %-13s %-10s %s%n", "NAME", "TYPE",
                        "STATE", "SINCE", "VIA"), ""));
    }

    /**
     * Everything known of one link.
     *
     * @param name the link's name
     * @return the description
     */
    public String info(String name) {
        return find(name).map(c -> String.join("\n",
                "name:       " + c.name(),
                "type:       " + c.type(),
                "state:      " + c.state() + " since " + c.since() + " (" + age(c.since(), Instant.now()) + ")",
                "via:        " + c.link().map(Link::remote).orElse("-"),
                "attempts:   " + c.attempts(),
                "last error: " + c.lastError().map(Throwable::toString).orElse("-")))
                .orElseGet(() -> unknown(name));
    }

    /**
     * Connects a link again now.
     *
     * @param name the link's name
     * @return what was done
     */
    public String reconnect(String name) {
        return find(name).map(c -> {
            c.reconnect();
            return "reconnecting " + name;
        }).orElseGet(() -> unknown(name));
    }

    /**
     * Ends a link until {@code reconnect}.
     *
     * @param name the link's name
     * @return what was done
     */
    public String end(String name) {
        return find(name).map(c -> {
            c.end();
            return "ending " + name + " (connback:reconnect " + name + " starts it again)";
        }).orElseGet(() -> unknown(name));
    }

    private Optional<ManagedConnection> find(String name) {
        return connections.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    private String unknown(String name) {
        return "no link named '" + name + "'; links: "
                + connections.stream().map(ManagedConnection::name).sorted().collect(Collectors.joining(", "));
    }

    private static String age(Instant since, Instant now) {
        Duration age = Duration.between(since, now);
        return age.toHours() > 0 ? age.toHours() + "h" + age.toMinutesPart() + "m"
                : age.toMinutes() > 0 ? age.toMinutes() + "m" + age.toSecondsPart() + "s"
                : age.toSeconds() + "s";
    }
}
