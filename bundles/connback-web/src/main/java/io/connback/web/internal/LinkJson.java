package io.connback.web.internal;

import io.connback.osgi.LinkStatus;
import java.time.Instant;
import java.util.List;

/** The JSON of the API: a link's status, the list of every link, a link's changes, an error. */
final class LinkJson {

    private LinkJson() {}

    /**
     * Writes a link's status as one object.
     *
     * @param json where to write
     * @param status the status
     */
    static void write(Json json, LinkStatus status) {
        json.beginObject()
                .member("name", status.name())
                .member("type", status.type())
                .member("source", status.source())
                .member("state", LinkChange.stateOf(status))
                .member("refused", status.state().isEmpty())
                .member("required", status.required())
                .member("since", status.since())
                .member("attempt", status.attempt())
                .member("nextAttemptAt", status.nextAttemptAt().orElse(null))
                .member("lastError", status.lastError())
                .member("lastErrorAt", status.lastErrorAt().orElse(null))
                .member("lastDisconnect", status.lastDisconnect())
                .name("totals").beginObject()
                .member("connects", status.connects())
                .member("drops", status.drops())
                .member("failedAttempts", status.failedAttempts())
                .member("framesIn", status.framesIn())
                .member("bytesIn", status.bytesIn())
                .member("framesOut", status.framesOut())
                .member("bytesOut", status.bytesOut())
                .endObject()
                .member("problems", status.problems())
                .endObject();
    }

    /** {@code {"now": ..., "links": [...]}}: every link, running or refused; the page sets its clock by now. */
    static String links(List<LinkStatus> statuses, Instant now) {
        Json json = new Json().beginObject().member("now", now).name("links").beginArray();
        statuses.forEach(status -> write(json, status));
        return json.endArray().endObject().toString();
    }

    /** {@code {"name": ..., "capacity": ..., "changes": [...]}}: a link's recent changes, oldest first. */
    static String changes(String name, List<LinkChange> changes, Instant now) {
        Json json = new Json().beginObject().member("name", name).member("now", now)
                .member("capacity", LinkHistory.RING_CAPACITY).name("changes").beginArray();
        changes.forEach(change -> change.writeTo(json));
        return json.endArray().endObject().toString();
    }

    /** {@code {"error": ...}}. */
    static String error(String message) {
        return new Json().beginObject().member("error", message).endObject().toString();
    }
}
