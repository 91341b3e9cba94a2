package io.connback.web.internal;

import io.connback.osgi.LinkStatus;
import java.time.Instant;

/**
 * One change of a link's status, as its history keeps it: what the page's timeline draws.
 *
 * @param sequence the change's number among all the changes this bundle saw, from 1
 * @param at when it happened (the status's {@code since} for a state change, else when it was seen)
 * @param name the link
 * @param state the state, or {@code REFUSED} when its configuration is refused
 * @param attempt the attempt number
 * @param error the error that came with this change, or {@code null} if none did
 */
record LinkChange(long sequence, Instant at, String name, String state, long attempt, String error) {

    /** The state of a link whose configuration is refused, in the API and the metrics. */
    static final String REFUSED = "REFUSED";

    static String stateOf(LinkStatus status) {
        return status.state().map(Enum::name).orElse(REFUSED);
    }

    void writeTo(Json json) {
        json.beginObject().member("sequence", sequence).member("at", at).member("name", name)
                .member("state", state).member("attempt", attempt).member("error", error).endObject();
    }
}
