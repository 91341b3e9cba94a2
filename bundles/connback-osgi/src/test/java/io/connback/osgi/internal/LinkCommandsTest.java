package io.connback.osgi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.ConnectionState;
import io.connback.link.Link;
import io.connback.osgi.LinkStatus;
import io.connback.osgi.LinkStatuses;
import io.connback.osgi.ManagedConnection;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class LinkCommandsTest {

    /** A link whose answers the test sets, and which records what the commands asked of it. */
    private static final class FakeConnection implements ManagedConnection {
        final String name;
        final ConnectionState state;
        final List<String> calls = new ArrayList<>();
        final Instant since = Instant.now().minusSeconds(75);

        FakeConnection(String name, ConnectionState state) {
            this.name = name;
            this.state = state;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String type() {
            return "tcp";
        }

        @Override
        public ConnectionState state() {
            return state;
        }

        @Override
        public Instant since() {
            return since;
        }

        @Override
        public long attempts() {
            return state == ConnectionState.CONNECTED ? 0 : 4;
        }

        @Override
        public Optional<Throwable> lastError() {
            return state == ConnectionState.CONNECTED ? Optional.empty()
                    : Optional.of(new IOException("Connection refused: 127.0.0.1:5020"));
        }

        @Override
        public LinkStatus status() {
            return new LinkStatusRecord(name, "tcp", "conf/io.connback.tcp-" + name + ".cfg", Optional.of(state), since,
                    attempts(), Optional.empty(), lastError().map(Throwable::getMessage),
                    lastError().map(error -> since), Optional.empty(), 1, 0, attempts(), 3, 30, 2, 10, List.of(),
                    false);
        }

        @Override
        public Optional<Object> client() {
            return Optional.empty();
        }

        @Override
        public Optional<Link> link() {
            return Optional.empty();
        }

        @Override
        public void reconnect() {
            calls.add("reconnect");
        }

        @Override
        public void end() {
            calls.add("end");
        }
    }

    /** The manager's statuses: those of the connections added, and refused ones. */
    private final List<LinkStatus> refused = new CopyOnWriteArrayList<>();
    private final List<FakeConnection> added = new CopyOnWriteArrayList<>();
    private final LinkStatuses statuses = new LinkStatuses() {
        @Override
        public List<LinkStatus> all() {
            List<LinkStatus> all = new ArrayList<>(refused);
            added.forEach(connection -> all.add(connection.status()));
            all.sort(Comparator.comparing(LinkStatus::name));
            return all;
        }

        @Override
        public Optional<LinkStatus> status(String name) {
            return all().stream().filter(status -> status.name().equals(name)).findFirst();
        }
    };
    private final LinkCommands commands = new LinkCommands(statuses);

    private void add(FakeConnection connection) {
        added.add(connection);
        commands.add(connection);
    }

    private void remove(FakeConnection connection) {
        added.remove(connection);
        commands.remove(connection);
    }
    private final FakeConnection meter = new FakeConnection("meter1", ConnectionState.CONNECTED);
    private final FakeConnection plc = new FakeConnection("plc", ConnectionState.RECONNECTING);

    @Test
    void listsEveryLinkByNameWithItsStateAndAge() {
        assertThat(commands.list()).contains("no link configured");
        add(plc);
        add(meter);
        String[] lines = commands.list().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).startsWith("NAME").contains("STATE");
        assertThat(lines[1]).startsWith("meter1").contains("tcp").contains("CONNECTED").contains("1m15s");
        assertThat(lines[2]).startsWith("plc").contains("RECONNECTING").contains("Connection refused");
    }

    @Test
    void listsRefusedConfigurationsWithTheirFirstProblemAndSizesColumnsToTheirContent() {
        add(meter);
        FakeConnection longName = new FakeConnection("boiler-room-north-meter-17", ConnectionState.CONNECTED);
        add(longName);
        refused.add(LinkStatusRecord.refused("x", "tcp", "conf/io.connback.tcp-x.cfg", Instant.now(), List.of(
                "conf/io.connback.tcp-x.cfg: port: invalid value 'abc': expected a whole number from 1 to 65535",
                "conf/io.connback.tcp-x.cfg: keepalive: invalid value '-1': must not be negative")));
        String[] lines = commands.list().split("\n");

        assertThat(lines).hasSize(4);
        assertThat(lines[3]).startsWith("x ").contains("REFUSED").contains("port: invalid value 'abc'")
                .endsWith("(+1 more)");
        // the long name does not push its row's columns out of line
        assertThat(lines[1].indexOf("tcp")).isEqualTo(lines[0].indexOf("TYPE")).isEqualTo(lines[2].indexOf("tcp"));
        assertThat(commands.info("x")).contains("state:        REFUSED")
                .contains("problem:      conf/io.connback.tcp-x.cfg: keepalive: invalid value '-1'");
    }

    @Test
    void describesOneLinkWithItsLastError() {
        add(plc);
        assertThat(commands.info("plc")).contains("state:        RECONNECTING").contains("attempt:      4")
                .contains("last error:   Connection refused: 127.0.0.1:5020 (1m15s ago)")
                .contains("file:         conf/io.connback.tcp-plc.cfg")
                .contains("frames:       in 3 (30 bytes), out 2 (10 bytes)");
        assertThat(commands.info("nope")).isEqualTo("no link named 'nope'; links: plc");
        assertThat(commands.info()).isEqualTo("usage: connback:info NAME; links: plc");
    }

    @Test
    void reconnectsAndEndsTheNamedLinkOnly() {
        add(meter);
        add(plc);
        assertThat(commands.reconnect("plc")).isEqualTo("reconnecting plc");
        assertThat(commands.end("meter1")).startsWith("ending meter1");
        assertThat(plc.calls).containsExactly("reconnect");
        assertThat(meter.calls).containsExactly("end");
        remove(plc);
        assertThat(commands.reconnect("plc")).startsWith("no link named 'plc'");
    }
}
