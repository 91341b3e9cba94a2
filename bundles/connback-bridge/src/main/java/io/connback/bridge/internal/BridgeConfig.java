package io.connback.bridge.internal;

import io.connback.config.ConfigValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checked configuration of one bridge ({@code conf/io.connback.bridge-<name>.cfg}); see {@link BridgeComponent}
 * for the keys.
 *
 * @param device the device link's name
 * @param broker the MQTT link's name
 * @param topic the topic the frames are published on, templates filled in
 * @param format how a frame becomes a payload
 * @param jsonData how {@code json} writes the frame's bytes: hex or base64
 * @param qos the QoS of the publishes
 * @param retained whether the broker retains them
 * @param commands the topic filter of the commands to the device, or empty
 * @param replies the topic of the replies to the commands, or empty
 * @param queueCommands whether commands wait while the device is down (else they are refused)
 * @param commandQueueSize how many commands may wait
 */
record BridgeConfig(String device, String broker, String topic, Format format, Format jsonData, int qos,
        boolean retained, Optional<String> commands, Optional<String> replies, boolean queueCommands,
        int commandQueueSize) {

    /** How a frame becomes a payload. */
    enum Format {
        RAW, HEX, BASE64, JSON;

        static Format named(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("expected raw, hex, base64 or json");
            }
        }
    }

    /** The default {@code topic}. */
    static final String DEFAULT_TOPIC = "connback/{gatewayId}/{link}/data";
    /** The default {@code commands.queueSize}. */
    static final int DEFAULT_COMMAND_QUEUE_SIZE = 16;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]*)}");

    /**
     * Reads and checks a configuration: every bad key is one line of the exception's message.
     *
     * @param properties the configuration properties
     * @param gatewayId fills {@code {gatewayId}} in the topics
     * @param file names the configuration in the lines, e.g. {@code conf/io.connback.bridge-meter1.cfg}
     * @return the configuration
     * @throws IllegalArgumentException whose message has one line per bad key,
     *     {@code <file>: <key>: invalid value '<value>': <why>}
     */
    static BridgeConfig parse(Map<String, ?> properties, String gatewayId, String file) {
        ConfigValues values = ConfigValues.of(properties);
        List<String> errors = new ArrayList<>();
        String device = read(errors, file, () -> required(values, "device")).orElse("");
        String broker = read(errors, file, () -> required(values, "broker")).orElse("");
        String topic = read(errors, file, () -> topic(values, "topic", false, gatewayId, device)
                .orElseGet(() -> fill(DEFAULT_TOPIC, "topic", gatewayId, device, false))).orElse("");
        Format format = read(errors, file, () -> values.parsed("format", Format::named)).flatMap(f -> f)
                .orElse(Format.RAW);
        Format jsonData = read(errors, file, () -> values.parsed("json.data", BridgeConfig::binary)).flatMap(f -> f)
                .orElse(Format.BASE64);
        int qos = read(errors, file, () -> qos(values)).orElse(1);
        boolean retained = read(errors, file, () -> values.bool("retained")).flatMap(b -> b).orElse(false);
        Optional<String> commands = read(errors, file, () -> topic(values, "commands", true, gatewayId, device))
                .flatMap(t -> t);
        Optional<String> replies = read(errors, file, () -> topic(values, "replies", false, gatewayId, device))
                .flatMap(t -> t);
        boolean queueCommands = read(errors, file, () -> values.parsed("commands.whileDown",
                BridgeConfig::whileDown)).flatMap(q -> q).orElse(true);
        int queueSize = read(errors, file, () -> queueSize(values)).orElse(DEFAULT_COMMAND_QUEUE_SIZE);
        if (!device.isBlank() && device.trim().equals(broker.trim())) {
            errors.add(file + ": " + ConfigValues.invalid("broker", broker, "the device's own link: a bridge joins "
                    + "two links").getMessage());
        }
        if (replies.isPresent() && commands.isEmpty()) {
            errors.add(file + ": " + ConfigValues.invalid("replies", values.text("replies").orElse(""),
                    "replies need a commands topic").getMessage());
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", errors));
        }
        return new BridgeConfig(device.trim(), broker.trim(), topic, format, jsonData, qos, retained, commands,
                replies, queueCommands, queueSize);
    }

    /** Runs one key's check; its error becomes a line, {@code <file>: <the error>}. */
    private static <T> Optional<T> read(List<String> errors, String file, Supplier<T> check) {
        try {
            return Optional.of(check.get());
        } catch (IllegalArgumentException e) {
            errors.add(file + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static String required(ConfigValues values, String key) {
        return values.text(key).filter(text -> !text.isBlank()).orElseThrow(() ->
                new IllegalArgumentException(key + ": no value: the name of a link of the gateway is required"));
    }

    private static int qos(ConfigValues values) {
        int qos = values.wholeNumber("qos").orElse(1);
        if (qos < 0 || qos > 2) {
            throw ConfigValues.invalid("qos", values.raw("qos").orElseThrow(), "must be 0, 1 or 2");
        }
        return qos;
    }

    private static int queueSize(ConfigValues values) {
        int size = values.wholeNumber("commands.queueSize").orElse(DEFAULT_COMMAND_QUEUE_SIZE);
        if (size < 1 || size > 10_000) {
            throw ConfigValues.invalid("commands.queueSize", values.raw("commands.queueSize").orElseThrow(),
                    "must be 1 to 10000");
        }
        return size;
    }

    private static Format binary(String name) {
        Format format = Format.named(name);
        if (format != Format.HEX && format != Format.BASE64) {
            throw new IllegalArgumentException("expected hex or base64");
        }
        return format;
    }

    private static boolean whileDown(String policy) {
        return switch (policy.trim().toLowerCase(Locale.ROOT)) {
            case "queue" -> true;
            case "refuse" -> false;
            default -> throw new IllegalArgumentException("expected queue or refuse");
        };
    }

    /** A topic key with its templates filled in, or empty if absent. */
    private static Optional<String> topic(ConfigValues values, String key, boolean filter, String gatewayId,
            String device) {
        return values.text(key).filter(text -> !text.isBlank())
                .map(template -> fill(template.trim(), key, gatewayId, device, filter));
    }

    /**
     * Fills {@code {gatewayId}} and {@code {link}} in, and checks the result: a topic to publish on has no wildcard,
     * a filter has them only as whole levels.
     */
    static String fill(String template, String key, String gatewayId, String device, boolean filter) {
        Matcher placeholders = PLACEHOLDER.matcher(template);
        StringBuilder topic = new StringBuilder();
        while (placeholders.find()) {
            String value = switch (placeholders.group(1)) {
                case "gatewayId" -> gatewayId;
                case "link" -> device.trim();
                default -> throw ConfigValues.invalid(key, template, "unknown template {" + placeholders.group(1)
                        + "}: expected {gatewayId} or {link}");
            };
            placeholders.appendReplacement(topic, Matcher.quoteReplacement(value));
        }
        placeholders.appendTail(topic);
        String filled = topic.toString();
        if (filled.isEmpty() || filled.length() > 65_535 || filled.indexOf('\u0000') >= 0) {
            throw ConfigValues.invalid(key, template, "not an MQTT topic");
        }
        if (!filter && (filled.contains("+") || filled.contains("#"))) {
            throw ConfigValues.invalid(key, template, "a topic to publish on has no wildcards (+ #)");
        }
        if (filter) {
            String[] levels = filled.split("/", -1);
            for (int i = 0; i < levels.length; i++) {
                String level = levels[i];
                boolean wildcard = level.equals("+") || (level.equals("#") && i == levels.length - 1);
                if (!wildcard && (level.contains("+") || level.contains("#"))) {
                    throw ConfigValues.invalid(key, template, "a wildcard (+ #) must be a whole level, # the last");
                }
            }
        }
        return filled;
    }
}
