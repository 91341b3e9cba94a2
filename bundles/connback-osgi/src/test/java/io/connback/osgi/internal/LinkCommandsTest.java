package io.connback.osgi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.ConnectionState;
import io.connback.link.Link;
import io.connback.osgi.ManagedConnection;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

    private final LinkCommands commands = new LinkCommands();
    private final FakeConnection meter = new FakeConnection("meter1", ConnectionState.CONNECTED);
    private final FakeConnection plc = new FakeConnection("plc", ConnectionState.RECONNECTING);

    @Test
    void listsEveryLinkByNameWithItsStateAndAge() {
        assertThat(commands.list()).contains("no link configured");
        commands.add(plc);
        commands.add(meter);
        String[] lines = commands.list().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).startsWith("NAME").contains("STATE");
        assertThat(lines[1]).startsWith("meter1").contains("tcp").contains("CONNECTED").contains("1m15s");
        assertThat(lines[2]).startsWith("plc").contains("RECONNECTING");
    }

    @Test
    void describesOneLinkWithItsLastError() {
        commands.add(plc);
        assertThat(commands.info("plc")).contains("state:      RECONNECTING").contains("attempts:   4")
                .contains("Connection refused: 127.0.0.1:5020");
        assertThat(commands.info("nope")).isEqualTo("no link named 'nope'; links: plc");
    }

    @Test
    void reconnectsAndEndsTheNamedLinkOnly() {
        commands.add(meter);
        commands.add(plc);
        assertThat(commands.reconnect("plc")).isEqualTo("reconnecting plc");
        assertThat(commands.end("meter1")).startsWith("ending meter1");
        assertThat(plc.calls).containsExactly("reconnect");
        assertThat(meter.calls).containsExactly("end");
        commands.remove(plc);
        assertThat(commands.reconnect("plc")).startsWith("no link named 'plc'");
    }
}
