package io.connback.osgi.internal;

import io.connback.ConnectionState;
import io.connback.link.Link;
import io.connback.osgi.LinkStatus;
import io.connback.osgi.LinkStatuses;
import io.connback.osgi.ManagedConnection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The gateway's console commands for links, in the Gogo scope {@code connback}: {@code list}, {@code info [name]},
 * {@code reconnect <name>}, {@code end <name>}. They read the {@link LinkStatuses} (so refused configurations show
 * too) and drive the {@link ManagedConnection} services; they run on the console's thread and only post to the links,
 * so none blocks.
 */
@Component(service = LinkCommands.class, property = {
    "osgi.command.scope=connback",
    "osgi.command.function=list",
    "osgi.command.function=info",
    "osgi.command.function=reconnect",
    "osgi.command.function=end"})
public final class LinkCommands {

    private final LinkStatuses statuses;
    private final List<ManagedConnection> connections = new CopyOnWriteArrayList<>();

    /**
     * Made by SCR; the links arrive through {@link #add(ManagedConnection)}.
     *
     * @param statuses the status of every link
     */
    @Activate
    public LinkCommands(@Reference LinkStatuses statuses) {
        this.statuses = statuses;
    }

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
     * One line per link and per refused configuration: name, type, state, for how long, the attempt, and where it
     * is connected or why it is not.
     *
     * @return the table
     */
    @Descriptor("lists the links: state, since when, attempt, and where they are connected or why not")
    public String list() {
        List<LinkStatus> all = statuses.all();
        if (all.isEmpty()) {
            return "no link configured (drop a .cfg file into conf/)";
        }
        Instant now = Instant.now();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAME", "TYPE", "STATE", "SINCE", "ATTEMPT", "DETAIL"));
        for (LinkStatus status : all) {
            rows.add(List.of(status.name(), status.type(), stateOf(status), age(status.since(), now),
                    status.attempt() == 0 ? "-" : Long.toString(status.attempt()), detail(status, now)));
        }
        return table(rows);
    }

    /**
     * The names of the links, to pick one for {@link #info(String)}.
     *
     * @return the names
     */
    @Descriptor("lists the link names; connback:info NAME tells everything of one")
    public String info() {
        return "usage: connback:info NAME; links: " + names();
    }

    /**
     * Everything known of one link.
     *
     * @param name the link's name
     * @return the description
     */
    @Descriptor("tells everything known of one link: state, attempts, errors, totals, its file and its problems")
    public String info(@Descriptor("the link's name") String name) {
        Optional<LinkStatus> found = statuses.status(name);
        if (found.isEmpty()) {
            return unknown(name);
        }
        LinkStatus status = found.get();
        Instant now = Instant.now();
        List<String> lines = new ArrayList<>();
        lines.add("name:         " + status.name());
        lines.add("type:         " + status.type());
        lines.add("file:         " + status.source());
        lines.add("state:        " + stateOf(status) + " since " + status.since().truncatedTo(ChronoUnit.MILLIS)
                + " (" + age(status.since(), now) + ")");
        lines.add("via:          " + find(name).flatMap(ManagedConnection::link).map(Link::remote).orElse("-"));
        lines.add("attempt:      " + status.attempt() + status.nextAttemptAt()
                .map(next -> ", next in " + LinkStateLog.seconds(nonNegative(Duration.between(now, next))))
                .orElse(""));
        lines.add("last error:   " + status.lastError().map(error -> error + status.lastErrorAt()
                .map(at -> " (" + age(at, now) + " ago)").orElse("")).orElse("-"));
        lines.add("disconnected: " + status.lastDisconnect().orElse("-"));
        lines.add("totals:       " + status.connects() + " connects, " + status.drops() + " drops, "
                + status.failedAttempts() + " failed attempts");
        lines.add("frames:       in " + status.framesIn() + " (" + status.bytesIn() + " bytes), out "
                + status.framesOut() + " (" + status.bytesOut() + " bytes)");
        status.problems().forEach(problem -> lines.add("problem:      " + problem));
        return String.join("\n", lines);
    }

    /**
     * Connects a link again now.
     *
     * @param name the link's name
     * @return what was done
     */
    @Descriptor("drops the link's connection, if any, and connects it again now")
    public String reconnect(@Descriptor("the link's name") String name) {
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
    @Descriptor("closes the link and stops reconnecting it, until connback:reconnect NAME")
    public String end(@Descriptor("the link's name") String name) {
        return find(name).map(c -> {
            c.end();
            return "ending " + name + " (connback:reconnect " + name + " starts it again)";
        }).orElseGet(() -> unknown(name));
    }

    private Optional<ManagedConnection> find(String name) {
        return connections.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    private String unknown(String name) {
        return "no link named " + io.connback.config.ConfigValues.quote(name) + "; links: " + names();
    }

    private String names() {
        String names = statuses.all().stream().map(LinkStatus::name).distinct()
                .collect(Collectors.joining(", "));
        return names.isEmpty() ? "none" : names;
    }

    private static String stateOf(LinkStatus status) {
        return status.state().map(ConnectionState::name).orElse("REFUSED");
    }

    private String detail(LinkStatus status, Instant now) {
        if (status.state().isEmpty()) {
            return status.problems().isEmpty() ? status.source() : status.problems().get(0)
                    + (status.problems().size() > 1 ? " (+" + (status.problems().size() - 1) + " more)" : "");
        }
        if (status.state().get() == ConnectionState.CONNECTED) {
            return find(status.name()).flatMap(ManagedConnection::link).map(Link::remote).orElse("");
        }
        return status.lastError().orElse("") + status.nextAttemptAt()
                .map(next -> "; next in " + LinkStateLog.seconds(nonNegative(Duration.between(now, next))))
                .orElse("");
    }

    private static Duration nonNegative(Duration duration) {
        return duration.isNegative() ? Duration.ZERO : duration;
    }

    /** Columns as wide as their widest cell; the last one is not padded. */
    static String table(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        rows.forEach(row -> {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        });
        Function<List<String>, String> line = row -> {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                text.append(i < columns - 1 ? String.format("%-" + widths[i] + "s  ", row.get(i)) : row.get(i));
            }
            return text.toString().stripTrailing();
        };
        return rows.stream().map(line).collect(Collectors.joining("\n"));
    }

    private static String age(Instant since, Instant now) {
        Duration age = nonNegative(Duration.between(since, now));
        return age.toHours() > 0 ? age.toHours() + "h" + age.toMinutesPart() + "m"
                : age.toMinutes() > 0 ? age.toMinutes() + "m" + age.toSecondsPart() + "s"
                : age.toSeconds() + "s";
    }
}
