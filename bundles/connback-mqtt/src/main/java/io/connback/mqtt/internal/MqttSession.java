package io.connback.mqtt.internal;

import io.connback.Connback;
import io.connback.Subscription;
import io.connback.link.mqtt.MqttLink;
import io.connback.link.mqtt.MqttMessage;
import io.connback.link.mqtt.MqttMessageListener;
import io.connback.link.mqtt.MqttSubscription;
import io.connback.link.mqtt.OfflineQueueFullException;
import io.connback.mqtt.OfflineQueuePolicy;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.MqttTopic;

/**
 * The MQTT session of one Connback: what outlives each connection. It holds the declared subscriptions and the
 * messages not yet acknowledged, knows the connection of the moment ({@link PahoLink}), and is the {@link MqttLink}
 * that every link of the Connback delegates to.
 *
 * <p>Threads: applications call in from anywhere; Paho's callback threads report acknowledgements, messages and lost
 * connections; Connback's workers attach and detach connections. All state is guarded by one lock, held only for
 * bookkeeping: Paho, listeners and stages are called outside it. Messages are handed to Paho by one thread at a time
 * (whichever found work to do), so they leave in the order they were published.
 *
 * <p>With a durable store ({@code store = disk}), every QoS 1 or 2 message is also recorded in a {@link MessageLog}
 * from its publish until the broker acknowledged it or it was dropped; the session reads the messages that the store
 * still holds when it starts, and sends them first. The log's records are queued under the lock, so they follow the
 * order of events; its own thread writes them. One session at a time uses a store folder in this JVM: a new session
 * of the same folder (a changed configuration, an updated bundle) takes it over from the one it replaces, which then
 * goes on in memory only until it ends.
 */
public final class MqttSession implements MqttLink {

    private static final System.Logger LOG = System.getLogger(MqttSession.class.getName());

    /** SUBACK's return code for a refused filter. */
    private static final int SUBSCRIPTION_REFUSED = 0x80;
    /** What a subscription was granted before the broker acknowledged its filter. */
    private static final int NOT_ACKNOWLEDGED = -1;
    /** The session using each store folder of this JVM. */
    private static final Map<Path, MqttSession> STORE_USERS = new ConcurrentHashMap<>();

    private final MqttSettings settings;
    private final Connback<MqttLink> connback;
    private final String clientId;
    private final List<Consumer<? super MqttSubscription>> refusalListeners = new CopyOnWriteArrayList<>();
    /** The queue's overflow was told in this outage (it is told once per outage). */
    private final AtomicBoolean overflowTold = new AtomicBoolean();

    private final Object lock = new Object();
    // guarded by lock
    private final ArrayDeque<Outbound> queue = new ArrayDeque<>();
    private final Map<String, List<Handle>> subscriptions = new LinkedHashMap<>();
    private PahoLink current;
    private long nextSequence;
    private long dropped;
    private boolean sending;
    private boolean ended;
    /** The durable store; {@code null} without one, or once it was handed over or the session ended. */
    private MessageLog store;
    /** The store was handed over to a newer session: it is no longer this one's. */
    private boolean storeHandedOver;
    /** The bytes that the waiting messages take in the store. */
    private long storedBytes;
    // written under lock, read by the message dispatch without it
    private volatile List<Handle> handles = List.of();

    /**
     * Starts a session.
     *
     * @param settings the connector's settings
     * @param connback the Connback whose logical connection this is
     */
    public MqttSession(MqttSettings settings, Connback<MqttLink> connback) {
        this.settings = settings;
        this.connback = connback;
        this.clientId = settings.newClientId();
    }

    /**
     * Opens the durable store, if the settings have one, taking it over from an older session of this JVM, and queues
     * the messages it holds, before any publish. A folder that cannot be used is told in one line, and the session
     * goes on with its queue in memory only.
     */
    public void openStore() {
        settings.store().ifPresent(this::openStore);
    }

    private void openStore(StoreSettings storeSettings) {
        Path dir = storeSettings.dir().toAbsolutePath().normalize();
        MqttSession previous = STORE_USERS.put(dir, this);
        if (previous != null) {
            previous.handOverStore();
        }
        MessageLog.Opened opened;
        long started = System.nanoTime();
        try {
            opened = MessageLog.open(storeSettings);
        } catch (IOException | RuntimeException e) {
            STORE_USERS.remove(dir, this);
            LOG.log(Level.ERROR, () -> "MQTT client " + clientId + " of " + settings.serverUri() + ": store.dir '"
                    + dir + "' cannot be used (" + e + "): the link runs without its durable queue, messages wait "
                    + "in memory only");
            return;
        }
        boolean handedOver;
        synchronized (lock) {
            handedOver = storeHandedOver || ended;
            if (!handedOver) {
                store = opened.log();
                nextSequence = opened.nextSequence();
                storedBytes = opened.bytes();
                for (MessageLog.Stored stored : opened.waiting()) {
                    Outbound message = new Outbound(stored.sequence(), stored.topic(), stored.payload(),
                            stored.qos(), stored.retained());
                    message.storedBytes = MessageLog.recordBytes(stored.topic(), stored.payload().length);
                    message.sentBefore = stored.sent();
                    message.queued = true;
                    queue.addLast(message);
                }
            }
        }
        if (handedOver) { // a newer session took the folder while this one opened it, or this one ended
            opened.log().close();
            STORE_USERS.remove(dir, this);
            return;
        }
        if (!opened.waiting().isEmpty()) {
            long millis = (System.nanoTime() - started) / 1_000_000;
            LOG.log(Level.INFO, () -> "store " + dir + ": " + opened.waiting().size() + " messages ("
                    + opened.bytes() + " bytes) kept from before, read in " + millis + " ms, are sent first, in order; "
                    + opened.possibleDuplicates() + " of them were sent and not acknowledged, and may reach the "
                    + "broker twice");
        }
    }

    /** A newer session of the same store folder takes it over: this one goes on in memory only. */
    private void handOverStore() {
        MessageLog handed;
        synchronized (lock) {
            storeHandedOver = true;
            handed = store;
            store = null;
        }
        if (handed != null) {
            handed.close();
            LOG.log(Level.DEBUG, () -> handed + " handed over to a new session of client " + clientId);
        }
    }

    MqttSettings settings() {
        return settings;
    }

    Connback<MqttLink> connback() {
        return connback;
    }

    // ---------------------------------------------------------------- MqttLink

    @Override
    public CompletionStage<Void> publish(String topic, byte[] payload, int qos, boolean retained) {
        MqttTopic.validate(Objects.requireNonNull(topic, "topic"), false);
        checkQos(qos);
        byte[] copy = Objects.requireNonNull(payload, "payload").clone();
        Outbound message;
        List<Outbound> droppedMessages = new ArrayList<>();
        boolean refused = false;
        synchronized (lock) {
            checkNotEnded();
            message = new Outbound(nextSequence++, topic, copy, qos, retained);
            int bytes = store != null && qos > 0 ? MessageLog.recordBytes(topic, copy.length) : 0;
            while (queue.size() >= settings.offlineQueueSize() || (bytes > 0 && storedBytes + bytes > maxBytes())) {
                if (settings.offlineQueuePolicy() == OfflineQueuePolicy.REFUSE || queue.isEmpty()) {
                    refused = true; // with dropOldest too if all that is stored is in flight, or it is too large
                    dropped++;
                    break;
                }
                Outbound oldest = queue.pollFirst();
                oldest.queued = false;
                oldest.done = true;
                unstore(oldest);
                dropped++;
                droppedMessages.add(oldest);
            }
            if (!refused) {
                message.queued = true;
                queue.addLast(message);
                if (bytes > 0) {
                    message.storedBytes = bytes;
                    storedBytes += bytes;
                    store.message(message.sequence, topic, copy, qos, retained);
                }
            }
        }
        if (refused || !droppedMessages.isEmpty()) {
            tellOverflow();
        }
        for (Outbound droppedMessage : droppedMessages) {
            droppedMessage.delivered.completeExceptionally(queueFull("dropped", droppedMessage));
        }
        if (refused) {
            message.delivered.completeExceptionally(queueFull("refused", message));
        } else {
            sendQueued();
        }
        return message.delivered.minimalCompletionStage();
    }

    @Override
    public MqttSubscription subscribe(String topicFilter, int qos, MqttMessageListener listener) {
        MqttTopic.validate(Objects.requireNonNull(topicFilter, "topicFilter"), true);
        checkQos(qos);
        Handle handle = new Handle(topicFilter, qos, Objects.requireNonNull(listener, "listener"));
        PahoLink link;
        synchronized (lock) {
            checkNotEnded();
            List<Handle> sameFilter = subscriptions.computeIfAbsent(topicFilter, filter -> new ArrayList<>());
            int grantedBefore = maxQos(sameFilter);
            if (!sameFilter.isEmpty()) {
                handle.granted = sameFilter.get(0).granted; // the filter's latest SUBACK, until the next one
            }
            sameFilter.add(handle);
            handles = allHandles();
            link = qos > grantedBefore ? current : null;
        }
        if (link != null) {
            link.subscribe(new String[] {topicFilter}, new int[] {qos});
        }
        return handle;
    }

    @Override
    public Subscription onSubscriptionRefused(Consumer<? super MqttSubscription> listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (lock) {
            checkNotEnded();
            refusalListeners.add(listener);
        }
        return () -> refusalListeners.remove(listener);
    }

    @Override
    public boolean isConnected() {
        synchronized (lock) {
            return current != null;
        }
    }

    @Override
    public String serverUri() {
        return settings.serverUri();
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public int queuedMessages() {
        synchronized (lock) {
            return queue.size();
        }
    }

    @Override
    public long droppedMessages() {
        synchronized (lock) {
            return dropped;
        }
    }

    @Override
    public Optional<MqttMessage> will() {
        return settings.will();
    }

    @Override
    public String toString() {
        return "MqttSession[" + settings.serverUri() + ", clientId=" + clientId + "]";
    }

    // ---------------------------------------------------------------- connections

    /**
     * Makes a newly connected link the connection of the moment: subscribes to every declared filter, then sends the
     * queued messages (Paho writes in call order, so the subscriptions are in place before the messages arrive).
     *
     * @param link the connected link
     * @return {@code false} if the session ended or the link went down meanwhile; the link is then not used
     */
    boolean attach(PahoLink link) {
        String[] filters;
        int[] qos;
        synchronized (lock) {
            if (ended || link.isDown()) {
                return false;
            }
            overflowTold.set(false);
            current = link;
            filters = subscriptions.keySet().toArray(String[]::new);
            qos = subscriptions.values().stream().mapToInt(MqttSession::maxQos).toArray();
        }
        if (filters.length > 0) {
            link.subscribe(filters, qos);
        }
        sendQueued();
        return true;
    }

    /**
     * Takes a link that is lost or closing out of use: its unacknowledged messages go back to the queue, in order, to
     * be sent again on the next connection. An acknowledgement that still comes from it completes them.
     *
     * @param link the link
     */
    void detach(PahoLink link) {
        List<Outbound> lost = new ArrayList<>();
        boolean cancelled;
        synchronized (lock) {
            cancelled = ended;
            if (current == link) {
                current = null;
            }
            for (Outbound message : link.inFlight) {
                if (message.sentOn == link && !message.done) {
                    giveBack(message, lost);
                }
            }
        }
        failLost(lost, cancelled);
    }

    /**
     * Ends the session: fails the messages not yet acknowledged (one in flight may have reached the broker) and
     * forgets the subscriptions.
     */
    public void end() {
        List<Outbound> lost = new ArrayList<>();
        MessageLog closing;
        synchronized (lock) {
            if (ended) {
                return;
            }
            ended = true;
            closing = store;
            store = null;
            if (current != null) {
                for (Outbound message : current.inFlight) {
                    if (message.sentOn == current && !message.done) {
                        message.done = true;
                        lost.add(message);
                    }
                }
                current = null;
            }
            for (Outbound message : queue) {
                message.queued = false;
                message.done = true;
                lost.add(message);
            }
            queue.clear();
            subscriptions.clear();
            handles = List.of();
            refusalListeners.clear();
        }
        if (closing != null) { // what it holds stays there, for the next session of the folder
            closing.close();
            STORE_USERS.remove(closing.dir(), this);
        }
        failLost(lost, true);
    }

    // ---------------------------------------------------------------- outbound messages

    /**
     * Hands queued messages to the current connection while its window of unacknowledged messages has room. One
     * thread sends at a time; others leave the work to it, and it looks for more after each message.
     */
    private void sendQueued() {
        synchronized (lock) {
            if (sending) {
                return;
            }
            sending = true;
        }
        boolean released = false;
        try {
            while (true) {
                PahoLink link;
                Outbound message;
                synchronized (lock) {
                    link = current;
                    if (link == null || queue.isEmpty() || link.inFlight.size() >= MqttSettings.MAX_IN_FLIGHT) {
                        sending = false;
                        released = true;
                        return;
                    }
                    message = queue.pollFirst();
                    message.queued = false;
                    message.sentOn = link;
                    link.inFlight.add(message);
                    if (message.storedBytes > 0 && !message.sentBefore && store != null) {
                        message.sentBefore = true;
                        store.sent(message.sequence);
                    }
                }
                if (!link.send(message)) {
                    // back in the queue: the next acknowledgement or connection sends it
                    return;
                }
            }
        } finally {
            if (!released) {
                synchronized (lock) {
                    sending = false;
                }
            }
        }
    }

    /**
     * The broker acknowledged a message (QoS 1 or 2), or Paho wrote it (QoS 0).
     *
     * @param link the connection it was sent on
     * @param message the message
     */
    void delivered(PahoLink link, Outbound message) {
        boolean first;
        synchronized (lock) {
            link.inFlight.remove(message);
            first = !message.done;
            message.done = true;
            if (first) {
                unstore(message);
            }
            if (message.queued) {
                queue.remove(message); // sent again meanwhile; the acknowledgement came from the earlier connection
                message.queued = false;
            }
        }
        if (message.qos > 0) {
            link.heartbeat(); // PUBACK or PUBCOMP
        }
        if (first) {
            message.delivered.complete(null);
        }
        sendQueued();
    }

    /**
     * Paho could not deliver a message on a connection (it was lost or is closing): the message waits for the next.
     *
     * @param link the connection it was sent on
     * @param message the message
     */
    void notDelivered(PahoLink link, Outbound message) {
        List<Outbound> lost = new ArrayList<>();
        boolean cancelled;
        synchronized (lock) {
            cancelled = ended;
            link.inFlight.remove(message);
            if (message.sentOn == link && !message.done) {
                giveBack(message, lost);
            }
        }
        failLost(lost, cancelled);
    }

    /**
     * A message sent on a connection that is gone goes back to the queue, or is lost if the session ended or the queue
     * is full (with {@link OfflineQueuePolicy#DROP_OLDEST}, the oldest messages beyond the queue's size are dropped;
     * with {@link OfflineQueuePolicy#REFUSE} they stay: they were accepted). Under lock.
     *
     * @param lost collects the messages to fail, outside the lock
     */
    private void giveBack(Outbound message, List<Outbound> lost) {
        if (ended) {
            message.done = true;
            lost.add(message);
            return;
        }
        requeue(message);
        if (settings.offlineQueuePolicy() == OfflineQueuePolicy.DROP_OLDEST) {
            while (queue.size() > settings.offlineQueueSize()) {
                Outbound oldest = queue.pollFirst();
                oldest.queued = false;
                oldest.done = true;
                unstore(oldest);
                dropped++;
                lost.add(oldest);
            }
        }
    }

    /** A message acknowledged or dropped leaves the durable store. Under lock. */
    private void unstore(Outbound message) {
        if (message.storedBytes > 0) {
            storedBytes -= message.storedBytes;
            message.storedBytes = 0;
            if (store != null) {
                store.done(message.sequence);
            }
        }
    }

    /** The bound of the durable store. */
    private long maxBytes() {
        return settings.store().map(StoreSettings::maxBytes).orElse(Long.MAX_VALUE);
    }

    /** Tells, once per outage, that the queue is full and what the policy does about it. */
    private void tellOverflow() {
        if (overflowTold.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, () -> "MQTT client " + clientId + " of " + settings.serverUri()
                    + ": the queue of messages waiting to be sent is full (" + bound() + "): offlineQueuePolicy "
                    + settings.offlineQueuePolicy() + (settings.offlineQueuePolicy() == OfflineQueuePolicy.REFUSE
                            ? " refuses new messages" : " drops the oldest messages")
                    + " until the broker takes them; told once per outage, counted in droppedMessages()");
        }
    }

    /** The queue's bounds, for messages. */
    private String bound() {
        return "offlineQueueSize " + settings.offlineQueueSize()
                + settings.store().map(disk -> ", store.maxBytes " + disk.maxBytes() + " in " + disk.dir())
                        .orElse("");
    }

    /** Puts a message back in the queue at its place in publish order. Under lock. */
    private void requeue(Outbound message) {
        message.sentOn = null;
        message.queued = true;
        // messages come back only from the head of the queue: scan the few older ones
        Iterator<Outbound> newerFirst = queue.descendingIterator();
        ArrayDeque<Outbound> newer = new ArrayDeque<>();
        while (newerFirst.hasNext()) {
            Outbound waiting = newerFirst.next();
            if (waiting.sequence < message.sequence) {
                break;
            }
            newerFirst.remove();
            newer.addFirst(waiting);
        }
        queue.addLast(message);
        queue.addAll(newer);
    }

    /**
     * Fails lost messages: cancelled if the session ended (those in the durable store stay there, for the next
     * session), else dropped from a full queue.
     */
    private void failLost(List<Outbound> lost, boolean cancelled) {
        if (!cancelled && !lost.isEmpty()) {
            tellOverflow();
        }
        for (Outbound message : lost) {
            message.delivered.completeExceptionally(cancelled
                    ? new CancellationException("the MQTT session of " + clientId + " ended before " + message
                            + " was acknowledged" + (message.storedBytes > 0
                                    ? "; it stays in the durable store, for the link's next session" : ""))
                    : queueFull("dropped", message));
        }
    }

    private OfflineQueueFullException queueFull(String what, Outbound message) {
        return new OfflineQueueFullException(what + " " + message + ": the queue of messages waiting to be sent to "
                + settings.serverUri() + " is full (" + bound() + "; offlineQueuePolicy "
                + settings.offlineQueuePolicy() + ")");
    }

    // ---------------------------------------------------------------- subscriptions

    /**
     * The broker answered a SUBSCRIBE (SUBACK): each subscription to its filters takes what the broker granted, and
     * the refused ones are told to the refusal listeners, outside the lock. An answer that comes from a connection
     * already replaced by a newer one is out of date: its refusals are only logged.
     *
     * @param link the connection the SUBSCRIBE was sent on
     * @param filters the filters subscribed to
     * @param granted the QoS granted to each filter, or {@code 0x80} for a refused one
     */
    void subscribed(PahoLink link, String[] filters, int[] granted) {
        List<Handle> refused = new ArrayList<>();
        synchronized (lock) {
            boolean upToDate = current == null || current == link;
            for (int i = 0; upToDate && i < Math.min(granted.length, filters.length); i++) {
                for (Handle handle : subscriptions.getOrDefault(filters[i], List.of())) {
                    handle.granted = granted[i];
                    if (granted[i] == SUBSCRIPTION_REFUSED) {
                        refused.add(handle);
                    }
                }
            }
        }
        for (int i = 0; i < Math.min(granted.length, filters.length); i++) {
            if (granted[i] == SUBSCRIPTION_REFUSED) {
                String filter = filters[i];
                LOG.log(Level.WARNING, () -> serverUri() + " refused the subscription to '" + filter + "' of client "
                        + clientId);
            }
        }
        for (Handle handle : refused) {
            for (Consumer<? super MqttSubscription> listener : refusalListeners) {
                try {
                    listener.accept(handle);
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.WARNING, () -> "listener " + listener + " failed on the refusal of " + handle, e);
                }
            }
        }
    }

    // ---------------------------------------------------------------- inbound messages

    /**
     * Delivers a message to the listeners of every subscription whose filter matches its topic.
     *
     * @param message the message
     */
    void dispatch(MqttMessage message) {
        for (Handle handle : handles) {
            if (!handle.closed && MqttTopic.isMatched(handle.topicFilter, message.topic())) {
                try {
                    handle.listener.onMessage(message);
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.WARNING, () -> "listener " + handle.listener + " of '" + handle.topicFilter
                            + "' failed on a message to '" + message.topic() + "'", e);
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private void checkNotEnded() {
        if (ended) {
            throw new IllegalStateException("the MQTT session of " + clientId + " has ended (its Connback ended)");
        }
    }

    private static void checkQos(int qos) {
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2, not " + qos);
        }
    }

    private static int maxQos(List<Handle> sameFilter) {
        return sameFilter.stream().mapToInt(handle -> handle.qos).max().orElse(-1);
    }

    /** Under lock. */
    private List<Handle> allHandles() {
        return subscriptions.values().stream().flatMap(List::stream).toList();
    }

    /** A declared subscription. */
    private final class Handle implements MqttSubscription {
        final String topicFilter;
        final int qos;
        final MqttMessageListener listener;
        volatile boolean closed;
        /** The latest SUBACK's answer for the filter: a QoS, {@link #SUBSCRIPTION_REFUSED} or not yet acknowledged. */
        volatile int granted = NOT_ACKNOWLEDGED;

        Handle(String topicFilter, int qos, MqttMessageListener listener) {
            this.topicFilter = topicFilter;
            this.qos = qos;
            this.listener = listener;
        }

        @Override
        public String topicFilter() {
            return topicFilter;
        }

        @Override
        public int qos() {
            return qos;
        }

        @Override
        public OptionalInt grantedQos() {
            int answer = granted;
            return answer == NOT_ACKNOWLEDGED || answer == SUBSCRIPTION_REFUSED ? OptionalInt.empty()
                    : OptionalInt.of(answer);
        }

        @Override
        public boolean isRefused() {
            return granted == SUBSCRIPTION_REFUSED;
        }

        @Override
        public void close() {
            PahoLink link = null;
            synchronized (lock) {
                if (closed) {
                    return;
                }
                closed = true;
                List<Handle> sameFilter = subscriptions.get(topicFilter);
                if (sameFilter == null) {
                    return; // the session ended
                }
                sameFilter.remove(this);
                if (sameFilter.isEmpty()) {
                    subscriptions.remove(topicFilter);
                    link = current;
                }
                handles = allHandles();
            }
            if (link != null) {
                link.unsubscribe(topicFilter);
            }
        }

        @Override
        public String toString() {
            return "MqttSubscription['" + topicFilter + "', QoS " + qos + "]";
        }
    }
}
