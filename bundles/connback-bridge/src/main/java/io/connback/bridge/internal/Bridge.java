package io.connback.bridge.internal;

import io.connback.link.Link;
import io.connback.link.mqtt.MqttLink;
import io.connback.link.mqtt.MqttMessage;
import io.connback.link.mqtt.MqttSubscription;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One bridge between a device link and an MQTT link: each frame of the device is published on the topic, and each
 * message on the commands topic is written to the device as it came, with a reply if configured.
 *
 * <p>Threads: the device's frames arrive on its connector's thread, commands on the MQTT client's callback thread,
 * link changes on the connection manager's event threads. The links of the moment are volatile fields; the queue of
 * commands waiting for the device is guarded by one lock, never held while a link is called. Publishing and sending
 * never block (the MQTT link queues while its broker is away, the device link has its own bounded queue).
 */
final class Bridge {

    private static final System.Logger LOG = System.getLogger(Bridge.class.getName());

    private final BridgeConfig config;
    private final String name;
    private final Clock clock;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong commandSequence = new AtomicLong();
    private final AtomicLong framesWithoutBroker = new AtomicLong();
    private final AtomicBoolean brokerMissingTold = new AtomicBoolean();

    private volatile Link device;
    private volatile MqttLink broker;

    private final Object lock = new Object();
    // guarded by lock
    private final ArrayDeque<Command> waiting = new ArrayDeque<>();
    private MqttSubscription subscription;

    /** A command received, and its number in the replies. */
    private record Command(long sequence, byte[] payload) {}

    /**
     * Makes a bridge; it does nothing until its links come.
     *
     * @param config its configuration
     * @param name its name, for logs
     * @param clock the time of the {@code ts} of {@code json} payloads
     */
    Bridge(BridgeConfig config, String name, Clock clock) {
        this.config = config;
        this.name = name;
        this.clock = clock;
    }

    /**
     * The device link connected: the commands that waited for it are written, in order.
     *
     * @param link the device's link of this connection
     */
    void deviceConnected(Link link) {
        List<Command> queued;
        synchronized (lock) {
            device = link;
            queued = new ArrayList<>(waiting);
            waiting.clear();
        }
        queued.forEach(command -> write(link, command));
    }

    /** The device link closed: commands wait or are refused, as configured. */
    void deviceDown() {
        device = null;
    }

    /**
     * The MQTT link connected: the commands topic is subscribed to on its session. The link stays in use while the
     * broker is away: its queue keeps what is published meanwhile.
     *
     * @param link the MQTT link of this connection
     */
    void brokerConnected(MqttLink link) {
        broker = link;
        if (config.commands().isEmpty()) {
            return;
        }
        // a new subscription first: on the same session, the old one's filter stays subscribed to meanwhile
        MqttSubscription subscribed = link.subscribe(config.commands().get(), config.qos(), this::command);
        MqttSubscription previous;
        synchronized (lock) {
            previous = subscription;
            subscription = subscribed;
        }
        if (previous != null) {
            previous.close();
        }
    }

    /** Stops: the commands subscription is closed, waiting commands are dropped. */
    void close() {
        MqttSubscription previous;
        synchronized (lock) {
            previous = subscription;
            subscription = null;
            waiting.clear();
        }
        if (previous != null) {
            previous.close();
        }
    }

    /**
     * A frame of the device: published in the configured format.
     *
     * @param frame the frame's bytes, read-only
     */
    void frame(ByteBuffer frame) {
        long sequence = frames.incrementAndGet();
        MqttLink link = broker;
        if (link == null) {
            dropped("until the MQTT link " + config.broker() + " has connected once");
            return;
        }
        byte[] bytes = new byte[frame.remaining()];
        frame.duplicate().get(bytes);
        try {
            link.publish(config.topic(), payload(bytes, sequence), config.qos(), config.retained());
        } catch (IllegalStateException ended) {
            // the MQTT link's connector was replaced (a changed configuration, an updated bundle): its new session
            // comes with the link's next connection
            dropped("while the MQTT link " + config.broker() + " changes its connector (" + ended.getMessage() + ")");
        }
    }

    /** Counts a frame that could not be published, and tells the first one. */
    private void dropped(String when) {
        framesWithoutBroker.incrementAndGet();
        if (brokerMissingTold.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, () -> "bridge " + name + ": frames of " + config.device() + " are dropped " + when
                    + "; counted, told once");
        }
    }

    /** How many frames came from the device. */
    long frames() {
        return frames.get();
    }

    /** How many frames were dropped because no MQTT session took them. */
    long framesWithoutBroker() {
        return framesWithoutBroker.get();
    }

    /** The payload of a frame, in the configured format. */
    byte[] payload(byte[] frame, long sequence) {
        return switch (config.format()) {
            case RAW -> frame;
            case HEX -> HexFormat.of().formatHex(frame).getBytes(StandardCharsets.US_ASCII);
            case BASE64 -> Base64.getEncoder().encode(frame);
            case JSON -> ("{\"link\":" + quoted(config.device()) + ",\"ts\":\"" + clock.instant() + "\",\"seq\":"
                    + sequence + ",\"data\":\"" + (config.jsonData() == BridgeConfig.Format.HEX
                            ? HexFormat.of().formatHex(frame) : Base64.getEncoder().encodeToString(frame)) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
        };
    }

    /** A message on the commands topic: written to the device, or queued, or refused. */
    private void command(MqttMessage message) {
        Command command = new Command(commandSequence.incrementAndGet(), message.payload());
        Link link;
        String refused = null;
        synchronized (lock) {
            link = device;
            if (link == null) {
                if (!config.queueCommands()) {
                    refused = "the device " + config.device() + " is down";
                } else if (waiting.size() >= config.commandQueueSize()) {
                    refused = "the device " + config.device() + " is down and " + config.commandQueueSize()
                            + " commands wait already";
                } else {
                    waiting.add(command);
                }
            }
        }
        if (link != null) {
            write(link, command);
        } else if (refused != null) {
            reply(command, refused);
        }
    }

    private void write(Link link, Command command) {
        link.send(command.payload()).whenComplete((sent, error) -> reply(command, error == null ? null
                : "writing to " + config.device() + " failed: " + error));
    }

    /** Publishes the outcome of a command on the replies topic, if configured. */
    private void reply(Command command, String error) {
        MqttLink link = broker;
        if (config.replies().isEmpty() || link == null) {
            return;
        }
        String reply = "{\"seq\":" + command.sequence() + ",\"ok\":" + (error == null) + ",\"error\":"
                + (error == null ? "null" : quoted(error)) + "}";
        try {
            link.publish(config.replies().get(), reply.getBytes(StandardCharsets.UTF_8), config.qos(), false);
        } catch (IllegalStateException ended) {
            LOG.log(Level.DEBUG, () -> "bridge " + name + ": reply not sent: " + ended.getMessage());
        }
    }

    /** A JSON string. */
    static String quoted(String text) {
        StringBuilder json = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }

    @Override
    public String toString() {
        return "bridge " + name + " (" + config.device() + " -> " + config.broker() + " on '" + config.topic() + "')";
    }
}
