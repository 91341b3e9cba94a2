package io.connback.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connback.ConnectionState;
import java.net.ConnectException;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The fleet logic over a recording MQTT link: what is published when, and the JSON of it. */
class FleetPublisherTest {

    private static final Instant STARTED = Instant.parse("2026-11-25T08:00:00.987654321Z");
    private static final Instant T1 = Instant.parse("2026-11-25T09:00:00Z");
    private static final Instant T2 = Instant.parse("2026-11-25T09:05:00.5Z");
    private static final String STATUS = "connback/gw1/status";
    private static final String ONLINE = "{\"state\":\"online\",\"version\":\"1.2.3\","
            + "\"started\":\"2026-11-25T08:00:00.987Z\",\"links\":";
    private static final Optional<io.connback.link.mqtt.MqttMessage> GOOD_WILL =
            RecordingLink.will(STATUS, FleetPublisher.OFFLINE_WILL, true);

    private final FleetPublisher publisher = new FleetPublisher("gw1", "connback", "fleet", "1.2.3", STARTED);
    private final FakeConnection fleet = new FakeConnection("fleet", "mqtt");
    private final FakeConnection meter = new FakeConnection("meter1", "tcp");

    private static String connectedSince(Instant at) {
        return "{\"state\":\"CONNECTED\",\"since\":\"" + at + "\",\"attempts\":0,\"lastError\":null}";
    }

    @Test
    void theStateOfALinkIsItsJson() {
        assertThat(FleetPublisher.linkState(meter.connected(new Object(), T2)))
                .isEqualTo("{\"state\":\"CONNECTED\",\"since\":\"2026-11-25T09:05:00.500Z\",\"attempts\":0,"
                        + "\"lastError\":null}");
        meter.reconnecting(Instant.parse("2026-11-25T09:06:00.123456Z"), 4,
                new ConnectException("cannot connect to \"meter\" at 10.0.0.5:502"));
        assertThat(FleetPublisher.linkState(meter))
                .isEqualTo("{\"state\":\"RECONNECTING\",\"since\":\"2026-11-25T09:06:00.123Z\",\"attempts\":4,"
                        + "\"lastError\":\"cannot connect to \\\"meter\\\" at 10.0.0.5:502\"}");
        // an error without a message is named by its class, as in the log lines
        meter.lastError = new IllegalStateException();
        assertThat(FleetPublisher.linkState(meter)).endsWith("\"lastError\":\"IllegalStateException\"}");
        for (ConnectionState state : ConnectionState.values()) {
            meter.state = state;
            assertThat(FleetPublisher.linkState(meter)).startsWith("{\"state\":\"" + state.name() + "\",");
        }
    }

    @Test
    void atEveryConnectOfTheBrokerLinkTheStatusAndEveryLinkArePublishedRetained() {
        RecordingLink first = new RecordingLink(GOOD_WILL);
        publisher.added(meter.connected(new Object(), T1));
        publisher.added(fleet); // connecting: nothing yet
        assertThat(first.published).isEmpty();

        publisher.changed(fleet.connected(first, T2));

        assertThat(first.sent()).containsExactly(
                STATUS + "=" + ONLINE + "[\"fleet\",\"meter1\"]}",
                "connback/gw1/links/fleet=" + connectedSince(T2),
                "connback/gw1/links/meter1=" + connectedSince(T1));
        assertThat(first.published).allSatisfy(message -> {
            assertThat(message.qos()).isEqualTo(1);
            assertThat(message.retained()).isTrue();
        });

        // another event of the same connection publishes nothing again
        publisher.changed(fleet);
        assertThat(first.published).hasSize(3);
    }

    @Test
    void aChangeIsPublishedOnceAndWhileTheBrokerLinkIsDownOnlyTheLatestStateFollowsOnReconnect() {
        RecordingLink first = new RecordingLink(GOOD_WILL);
        publisher.added(fleet.connected(first, T1));
        publisher.added(meter.connected(new Object(), T1));
        first.published.clear();

        meter.reconnecting(T2, 1, new ConnectException("refused"));
        publisher.changed(meter);
        publisher.changed(meter); // e.g. the error after the close: same state, not sent again
        assertThat(first.sent()).containsExactly("connback/gw1/links/meter1={\"state\":\"RECONNECTING\","
                + "\"since\":\"2026-11-25T09:05:00.500Z\",\"attempts\":1,\"lastError\":\"refused\"}");

        first.connected = false;
        publisher.changed(fleet.reconnecting(T2, 1, new ConnectException("broker gone")));
        for (int attempt = 2; attempt <= 50; attempt++) {
            publisher.changed(meter.reconnecting(T2, attempt, new ConnectException("refused")));
        }
        Instant back = Instant.parse("2026-11-25T10:00:00Z");
        publisher.changed(meter.connected(new Object(), back));
        assertThat(first.published).hasSize(1);

        RecordingLink second = new RecordingLink(GOOD_WILL);
        publisher.changed(fleet.connected(second, back));
        assertThat(second.sent()).containsExactly(STATUS + "=" + ONLINE + "[\"fleet\",\"meter1\"]}",
                "connback/gw1/links/fleet=" + connectedSince(back),
                "connback/gw1/links/meter1=" + connectedSince(back));
    }

    @Test
    void aDeletedLinkIsClearedAndTheStatusListsTheOthersButAStoppingManagerClearsNothing() {
        RecordingLink link = new RecordingLink(GOOD_WILL);
        FakeConnection meter2 = new FakeConnection("meter2", "serial");
        publisher.added(fleet.connected(link, T1));
        publisher.added(meter.connected(new Object(), T1));
        publisher.added(meter2);
        link.published.clear();

        publisher.removed(meter, true);
        publisher.removed(meter2, false);
        publisher.changed(meter); // late event of a removed link
        assertThat(link.sent()).containsExactly("connback/gw1/links/meter1=",
                STATUS + "=" + ONLINE + "[\"fleet\",\"meter2\"]}");
    }

    @Test
    void stoppingPublishesTheOfflineStatusAndThenNothing() {
        RecordingLink link = new RecordingLink(GOOD_WILL);
        publisher.added(fleet.connected(link, T1));
        publisher.added(meter);
        link.published.clear();

        assertThat(publisher.stop()).isCompleted();
        publisher.changed(meter.connected(new Object(), T2));
        publisher.removed(meter, true);
        publisher.stop();

        assertThat(link.published).singleElement().satisfies(offline -> {
            assertThat(offline.topic()).isEqualTo(STATUS);
            assertThat(offline.retained()).isTrue();
            assertThat(offline.payload()).startsWith("{\"state\":\"offline\",\"version\":\"1.2.3\","
                    + "\"started\":\"2026-11-25T08:00:00.987Z\",\"stopped\":\"").endsWith("Z\"}");
        });
    }

    @Test
    void theBrokerLinkGoingAwayLeavesTheStatusOffline() {
        RecordingLink link = new RecordingLink(GOOD_WILL);
        publisher.added(fleet.connected(link, T1));
        link.published.clear();

        publisher.removed(fleet, false);
        publisher.added(meter.connected(new Object(), T2));

        assertThat(link.sent()).singleElement().asString().startsWith(STATUS + "={\"state\":\"offline\"");
    }

    @Test
    void nothingIsPublishedWhileTheBrokerLinkIsNotConnectedOrNotAnMqttLink() {
        RecordingLink link = new RecordingLink(GOOD_WILL);
        link.connected = false;
        publisher.added(fleet.connected(link, T1)); // the event that it went down is on its way
        publisher.added(meter.connected(new Object(), T1));
        // the birth goes to the link's queue; the link added after it waits for the next connection
        assertThat(link.sent()).containsExactly(STATUS + "=" + ONLINE + "[\"fleet\"]}",
                "connback/gw1/links/fleet=" + connectedSince(T1));

        FleetPublisher overTcp = new FleetPublisher("gw1", "connback", "meter1", "1.2.3", STARTED);
        overTcp.added(meter);
        assertThat(overTcp.stop()).isCompleted();
    }

    @Test
    void aLinkWhoseNameIsNoTopicLevelIsLeftOutAndTheOthersArePublished() {
        RecordingLink link = new RecordingLink(GOOD_WILL);
        publisher.added(new FakeConnection("meter+1", "tcp").connected(new Object(), T1));
        publisher.added(fleet.connected(link, T1));

        assertThat(link.sent()).containsExactly(STATUS + "=" + ONLINE + "[\"fleet\",\"meter+1\"]}",
                "connback/gw1/links/fleet=" + connectedSince(T1));
    }

    @Test
    void theBrokerLinksWillIsCheckedAtBirth() {
        assertThat(publisher.willAdvice(GOOD_WILL)).isEmpty();
        assertThat(publisher.willAdvice(Optional.empty())).hasValue("fleet status: the MQTT link fleet has no "
                + "will, so a gateway that dies stays online in connback/gw1/status: set "
                + "will.topic=connback/gw1/status, will.payload={\"state\":\"offline\"}, will.retained=true, "
                + "will.publishOnClose=true in the configuration of link fleet");
        assertThat(publisher.willAdvice(RecordingLink.will(STATUS, "offline", false))).get().asString()
                .contains("has its will on connback/gw1/status, not retained,");
        assertThat(publisher.willAdvice(RecordingLink.will("gw1/status", "offline", true))).get().asString()
                .contains("has its will on gw1/status,");
    }

    @Test
    void topicPartsAreChecked() {
        assertThatThrownBy(() -> new FleetPublisher("site/gw1", "connback", "fleet", "1", STARTED))
                .hasMessageStartingWith("gatewayId: invalid value 'site/gw1': must be usable in an MQTT topic");
        assertThatThrownBy(() -> new FleetPublisher("gw+", "connback", "fleet", "1", STARTED))
                .hasMessageStartingWith("gatewayId: invalid value 'gw+'");
        assertThatThrownBy(() -> new FleetPublisher("gw1", "fleet/#", "fleet", "1", STARTED))
                .hasMessageStartingWith("topicPrefix: invalid value 'fleet/#'");
        assertThatThrownBy(() -> new FleetPublisher("gw1", "", "fleet", "1", STARTED))
                .hasMessage("topicPrefix: invalid value '': must not be empty");
        assertThatThrownBy(() -> new FleetPublisher("gw1", "connback", " ", "1", STARTED))
                .hasMessage("link: invalid value ' ': the name of an MQTT link is required");
        assertThat(new FleetPublisher("gw1", "site/7/connback", "fleet", "1", STARTED).statusTopic())
                .isEqualTo("site/7/connback/gw1/status");
    }
}
