package io.connback.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.ConnectionState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void escapesQuotesControlsAndMarkupSoThatNoTextLeavesItsString() {
        String json = new Json().beginObject().member("e", "a\"b\\c\nd\u0001<img src=x onerror=alert(1)>&\u2028")
                .endObject().toString();
        assertThat(json).isEqualTo("{\"e\":\"a\\\"b\\\\c\\nd\\u0001\\u003cimg src=x onerror=alert(1)\\u003e"
                + "\\u0026\\u2028\"}");
    }

    @Test
    void nestsObjectsAndArraysWithCommasOnlyBetweenMembers() {
        String json = new Json().beginObject().member("a", 1).name("b").beginArray().value("x").beginObject()
                .member("c", true).endObject().endArray().member("d", (String) null).member("e", List.of())
                .endObject().toString();
        assertThat(json).isEqualTo("{\"a\":1,\"b\":[\"x\",{\"c\":true}],\"d\":null,\"e\":[]}");
    }

    @Test
    void aLinkHasItsStateTotalsAndFileAndARefusedOneItsProblems() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        String json = LinkJson.links(List.of(Status.of("m1", ConnectionState.CONNECTED, now).required(true),
                Status.refused("bad", "conf/io.connback.tcp-bad.cfg: port: invalid value '99999'")), now);
        assertThat(json).startsWith("{\"now\":\"2026-01-01T00:00:00Z\",\"links\":[{\"name\":\"m1\",\"type\":\"tcp\","
                + "\"source\":\"conf/io.connback.tcp-m1.cfg\",\"state\":\"CONNECTED\",\"refused\":false,"
                + "\"required\":true,\"since\":\"2026-01-01T00:00:00Z\",\"attempt\":0,\"nextAttemptAt\":null,")
                .contains("\"totals\":{\"connects\":3,\"drops\":2,\"failedAttempts\":5,\"framesIn\":10,"
                        + "\"bytesIn\":100,\"framesOut\":1,\"bytesOut\":4}")
                .contains("{\"name\":\"bad\",\"type\":\"tcp\",\"source\":\"conf/io.connback.tcp-bad.cfg\","
                        + "\"state\":\"REFUSED\",\"refused\":true")
                .contains("\"problems\":[\"conf/io.connback.tcp-bad.cfg: port: invalid value '99999'\"]");
    }
}
