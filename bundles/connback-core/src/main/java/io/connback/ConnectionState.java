package io.connback;

/** Where a {@link Connback} stands; see {@link Connback#state()}. */
public enum ConnectionState {
    /** The first connection attempt (or the first after a restart) is in progress. */
    CONNECTING,
    /** Connected: the client is available. */
    CONNECTED,
    /** The link was lost or an attempt failed: waiting for the next attempt or running it. */
    RECONNECTING,
    /** Retries gave up (maximum attempts reached or the retry predicate said no); {@code reconnect()} starts again. */
    OFFLINE,
    /** {@code end()} was called and is being carried out. */
    ENDING,
    /** Ended: no attempt runs and no event is emitted until {@code reconnect()}. */
    ENDED
}
