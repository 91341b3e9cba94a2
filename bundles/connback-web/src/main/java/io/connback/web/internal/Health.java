package io.connback.web.internal;

import io.connback.ConnectionState;
import io.connback.osgi.LinkStatus;
import java.util.List;

/**
 * The gateway's health: up when every link whose configuration sets {@code required = true} is connected.
 *
 * @param required the names of the required links
 * @param failing the required links that are not connected (or whose configuration is refused), with their state
 */
record Health(List<String> required, List<LinkStatus> failing) {

    static Health of(List<LinkStatus> statuses) {
        List<LinkStatus> required = statuses.stream().filter(LinkStatus::required).toList();
        return new Health(required.stream().map(LinkStatus::name).toList(), required.stream()
                .filter(status -> status.state().filter(ConnectionState.CONNECTED::equals).isEmpty()).toList());
    }

    boolean up() {
        return failing.isEmpty();
    }

    /** The HTTP status: 200 when up, 503 otherwise. */
    int httpStatus() {
        return up() ? 200 : 503;
    }

    String toJson() {
        Json json = new Json().beginObject().member("status", up() ? "UP" : "DOWN").member("required", required)
                .name("failing").beginArray();
        failing.forEach(status -> json.beginObject().member("name", status.name())
                .member("state", LinkChange.stateOf(status)).member("lastError", status.lastError()).endObject());
        return json.endArray().endObject().toString();
    }
}
