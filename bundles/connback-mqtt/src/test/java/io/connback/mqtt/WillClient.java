package io.connback.mqtt;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.link.mqtt.MqttLink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A gateway in a child JVM, for {@link MqttWillTest}: connects to a broker with a retained will, prints
 * {@value #CONNECTED} once connected, and waits to be killed.
 *
 * <p>Arguments: the server URI, the client id, the will's topic, the will's payload.
 */
public final class WillClient {

    /** The line printed on standard output once connected. */
    static final String CONNECTED = "connected";

    private WillClient() {}

    /**
     * Connects and waits forever.
     *
     * @param args server URI, client id, will topic, will payload
     * @throws InterruptedException never: the process is killed
     */
    public static void main(String[] args) throws InterruptedException {
        MqttConnector connector = MqttConnector.builder().serverUri(args[0]).clientId(args[1])
                .will(args[2], args[3].getBytes(StandardCharsets.UTF_8), 1, true).build();
        Connback.create(connector, ConnbackOptions.builder().keepalive(Duration.ofSeconds(30)).build(),
                new ConnbackListener<MqttLink>() {
                    @Override
                    public void onConnect(MqttLink link) {
                        System.out.println(CONNECTED);
                        System.out.flush();
                    }
                });
        new CountDownLatch(1).await();
    }
}
