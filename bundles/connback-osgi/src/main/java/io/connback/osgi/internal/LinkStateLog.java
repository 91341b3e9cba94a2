package io.connback.osgi.internal;

import io.connback.RetriesExhaustedException;
import io.connback.link.Link;
import io.connback.osgi.ConnectionListener;
import io.connback.osgi.ManagedConnection;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.osgi.service.component.annotations.Component;

/**
 * Logs every state change of every link as one line of a stable format, for operators who follow the gateway log
 * with {@code tail -f} and for scripts that match it:
 * {@code link <name> <STATE>[ via <remote>][ after <n> attempts][ attempt <n>][: <last error>]}, e.g.
 * {@code link meter1 CONNECTED via /dev/ttyUSB1 after 3 attempts}. The states: CONNECTED, DISCONNECTED (an
 * established connection was lost or closed), RECONNECTING (an attempt starts, with the error of the previous one),
 * OFFLINE (the retries gave up) and ENDED. The logger is {@value #LOGGER}.
 */
@Component(service = ConnectionListener.class, immediate = true)
public final class LinkStateLog implements ConnectionListener {

    /** The name of the System.Logger of the lines. */
    public static final String LOGGER = "io.connback.gateway.links";

    private static final Logger LOG = System.getLogger(LOGGER);

    /** Attempts since the last connection, per link: the connection's own count is reset before onConnect. */
    private final Map<String, Long> attempts = new ConcurrentHashMap<>();

    private final Consumer<String> out;

    /** Made by SCR: the lines go to the logger {@value #LOGGER}, at INFO. */
    public LinkStateLog() {
        this(line -> LOG.log(Level.INFO, line));
    }

    LinkStateLog(Consumer<String> out) {
        this.out = out;
    }

    @Override
    public void onConnect(ManagedConnection connection) {
        long made = Optional.ofNullable(attempts.remove(connection.name())).orElse(0L);
        String remote = connection.link().map(Link::remote).map(via -> " via " + via).orElse("");
        log(connection, "CONNECTED" + remote + (made == 0 ? "" : " after " + plural(made, "attempt")), false);
    }

    @Override
    public void onReconnect(ManagedConnection connection) {
        long attempt = attempts.merge(connection.name(), 1L, Long::sum);
        log(connection, "RECONNECTING attempt " + attempt, true);
    }

    @Override
    public void onClose(ManagedConnection connection, boolean hasError) {
        log(connection, "DISCONNECTED", hasError);
    }

    @Override
    public void onError(ManagedConnection connection, Throwable error) {
        if (error instanceof RetriesExhaustedException) {
            attempts.remove(connection.name());
            out.accept("link " + connection.name() + " OFFLINE: " + describe(error));
        }
    }

    @Override
    public void onEnd(ManagedConnection connection) {
        attempts.remove(connection.name());
        log(connection, "ENDED", false);
    }

    private void log(ManagedConnection connection, String change, boolean withError) {
        String error = withError ? connection.lastError().map(LinkStateLog::describe).map(text -> ": " + text)
                .orElse("") : "";
        out.accept("link " + connection.name() + " " + change + error);
    }

    private static String describe(Throwable error) {
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        return message.replaceAll("\\s*\\R\\s*", " ");
    }

    private static String plural(long count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }
}
