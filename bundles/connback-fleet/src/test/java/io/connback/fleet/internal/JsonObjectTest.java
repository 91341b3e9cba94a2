package io.connback.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonObjectTest {

    @Test
    void writesMembersInOrder() {
        assertThat(new JsonObject().toString()).isEqualTo("{}");
        assertThat(new JsonObject().add("state", "online").add("attempts", 3L).add("lastError", (String) null)
                .add("links", List.of("fleet", "meter1")).add("none", List.of()).toString())
                .isEqualTo("{\"state\":\"online\",\"attempts\":3,\"lastError\":null,\"links\":[\"fleet\",\"meter1\"],"
                        + "\"none\":[]}");
    }

    @Test
    void escapesWhatJsonRequiresAndKeepsTheRest() {
        String text = "a \"quoted\" C:\\path\nline\r\ttab\b\f\u0000\u001f\u007f é € 😀 \u2028\u2029";
        assertThat(new JsonObject().add("k\"ey", text).toString()).isEqualTo("{\"k\\\"ey\":\"a \\\"quoted\\\" "
                + "C:\\\\path\\nline\\r\\ttab\\b\\f\\u0000\\u001f\u007f é € 😀 \\u2028\\u2029\"}");
        assertThat(new JsonObject().add("links", List.of("a\"b", "c\\d")).toString())
                .isEqualTo("{\"links\":[\"a\\\"b\",\"c\\\\d\"]}");
    }
}
