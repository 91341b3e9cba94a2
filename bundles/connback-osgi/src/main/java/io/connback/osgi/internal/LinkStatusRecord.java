package io.connback.osgi.internal;

import io.connback.ConnectionState;
import io.connback.osgi.LinkStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A {@link LinkStatus} snapshot; see there for the fields. */
record LinkStatusRecord(String name, String type, String source, Optional<ConnectionState> state, Instant since,
        long attempt, Optional<Instant> nextAttemptAt, Optional<String> lastError, Optional<Instant> lastErrorAt,
        Optional<String> lastDisconnect, long connects, long drops, long failedAttempts, long framesIn, long bytesIn,
        long framesOut, long bytesOut, List<String> problems, boolean required) implements LinkStatus {

    /**
     * The status of a configuration that runs no link: it is refused.
     *
     * @param name the link name it claims
     * @param type its connector type
     * @param source its file or PID
     * @param since when it was refused
     * @param problems why
     * @return the status
     */
    static LinkStatus refused(String name, String type, String source, Instant since, List<String> problems) {
        return new LinkStatusRecord(name, type, source, Optional.empty(), since, 0, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), 0, 0, 0, 0, 0, 0, 0, List.copyOf(problems),
                false);
    }
}
