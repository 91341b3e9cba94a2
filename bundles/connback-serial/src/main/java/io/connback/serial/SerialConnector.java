package io.connback.serial;

import io.connback.Connector;
import io.connback.config.ConfigValues;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.serial.internal.PortLocator;
import io.connback.serial.internal.SerialPortConnector;
import io.connback.serial.internal.SysfsDeviceTable;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;

/**
 * Makes {@link Connector}s of {@link Link}s over serial ports (jSerialComm), for plain Java:
 *
 * <pre>{@code
 * Connector<Link> meter = SerialConnector.builder().port("usb:0403:6001").baudRate(19200)
 *         .link(LinkSettings.fromMap(Map.of("ping.frame", "hex:01 03 00 00 00 01 84 0A"))).build();
 * Connback<Link> connback = Connback.create(meter, ConnbackOptions.builder().keepalive(Duration.ofSeconds(5)).build());
 * }</pre>
 *
 * <p>The port is looked up again at every attempt, by path or by USB identity, so a device that comes back under
 * another name is found. While a link waits for its device, a hot-plug watcher cuts the backoff wait short as soon as
 * the device reappears. An unplugged device is noticed within milliseconds (jSerialComm's read fails) and reported
 * as an error of the link, which closes it and reconnects.
 */
public final class SerialConnector {

    private SerialConnector() {}

    /**
     * A builder with the defaults: 9600 8N1, no flow control, default link settings, the machine's device table.
     *
     * @return a new builder; {@link Builder#port(String)} is required
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A connector from configuration properties: {@code port} (a path or {@code usb:VID:PID[:SERIAL]}, required),
     * {@code baudRate}, {@code dataBits}, {@code parity} ({@code none|odd|even|mark|space}), {@code stopBits}
     * ({@code 1|1.5|2}), {@code flowControl} ({@code none|rts/cts|xon/xoff}), {@code openDelay} (ms), and the link
     * keys of {@link LinkSettings#fromMap(Map)}. Other keys are ignored.
     *
     * @param properties the configuration
     * @return the connector
     * @throws IllegalArgumentException naming the key and the value, if a value is missing or malformed
     */
    public static Connector<Link> fromMap(Map<String, ?> properties) {
        return builder().apply(properties).build();
    }

    /** Builds a serial {@link Connector}; not thread-safe. */
    public static final class Builder {
        private String name;
        private String port;
        private int baudRate = PortSettings.DEFAULTS.baudRate();
        private int dataBits = PortSettings.DEFAULTS.dataBits();
        private Parity parity = PortSettings.DEFAULTS.parity();
        private StopBits stopBits = PortSettings.DEFAULTS.stopBits();
        private FlowControl flowControl = PortSettings.DEFAULTS.flowControl();
        private Duration openDelay = PortSettings.DEFAULTS.openDelay();
        private LinkSettings link = LinkSettings.defaults();
        private DeviceTable deviceTable = SysfsDeviceTable.system();

        private Builder() {}

        /**
         * Sets the port: a path ({@code /dev/ttyUSB0}, {@code /dev/serial/by-id/...}) or a USB identity
         * ({@code usb:0403:6001} or {@code usb:0403:6001:A50285BI}).
         *
         * @param port the port
         * @return this builder
         */
        public Builder port(String port) {
            this.port = port;
            return this;
        }

        /**
         * Sets the baud rate. Default 9600.
         *
         * @param baudRate bits per second
         * @return this builder
         */
        public Builder baudRate(int baudRate) {
            this.baudRate = baudRate;
            return this;
        }

        /**
         * Sets the data bits, 5 to 8. Default 8.
         *
         * @param dataBits the data bits
         * @return this builder
         */
        public Builder dataBits(int dataBits) {
            this.dataBits = dataBits;
            return this;
        }

        /**
         * Sets the parity. Default none.
         *
         * @param parity the parity
         * @return this builder
         */
        public Builder parity(Parity parity) {
            this.parity = Objects.requireNonNull(parity, "parity");
            return this;
        }

        /**
         * Sets the stop bits. Default 1.
         *
         * @param stopBits the stop bits
         * @return this builder
         */
        public Builder stopBits(StopBits stopBits) {
            this.stopBits = Objects.requireNonNull(stopBits, "stopBits");
            return this;
        }

        /**
         * Sets the flow control. Default none.
         *
         * @param flowControl the flow control
         * @return this builder
         */
        public Builder flowControl(FlowControl flowControl) {
            this.flowControl = Objects.requireNonNull(flowControl, "flowControl");
            return this;
        }

        /**
         * Sets the pause after opening the port, for devices that reset when it opens. Default none.
         *
         * @param openDelay the pause
         * @return this builder
         */
        public Builder openDelay(Duration openDelay) {
            this.openDelay = Objects.requireNonNull(openDelay, "openDelay");
            return this;
        }

        /**
         * Sets framing, heartbeat frames and limits of the links.
         *
         * @param link the link settings
         * @return this builder
         */
        public Builder link(LinkSettings link) {
            this.link = Objects.requireNonNull(link, "link");
            return this;
        }

        /**
         * Names the link, as another link that finds its port busy tells: {@code cannot open /dev/ttyUSB0 ...: held by
         * link meter1}. By default the link is named by its port.
         *
         * @param name the link's name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Sets where USB identities are looked up; by default this machine's sysfs. Tests feed their own.
         *
         * @param deviceTable the device table
         * @return this builder
         */
        public Builder deviceTable(DeviceTable deviceTable) {
            this.deviceTable = Objects.requireNonNull(deviceTable, "deviceTable");
            return this;
        }

        /**
         * Applies configuration properties over the values set so far; see {@link SerialConnector#fromMap(Map)}.
         *
         * @param properties the configuration
         * @return this builder
         * @throws IllegalArgumentException naming the key and the value, if a value is malformed
         */
        public Builder apply(Map<String, ?> properties) {
            ConfigValues values = ConfigValues.of(properties);
            values.text("port").ifPresent(this::port);
            values.wholeNumber("baudRate").ifPresent(this::baudRate);
            values.wholeNumber("dataBits").ifPresent(this::dataBits);
            values.parsed("parity", Parity::named).ifPresent(this::parity);
            values.parsed("stopBits", StopBits::named).ifPresent(this::stopBits);
            values.parsed("flowControl", FlowControl::named).ifPresent(this::flowControl);
            values.duration("openDelay", ChronoUnit.MILLIS).ifPresent(this::openDelay);
            link = link.toBuilder().apply(properties).build();
            return this;
        }

        /**
         * Builds the connector.
         *
         * @return the connector
         * @throws IllegalArgumentException naming the key and the value, if a setting is missing or out of range
         */
        public Connector<Link> build() {
            if (baudRate <= 0) {
                throw ConfigValues.invalid("baudRate", baudRate, "must be above zero");
            }
            if (dataBits < 5 || dataBits > 8) {
                throw ConfigValues.invalid("dataBits", dataBits, "must be 5 to 8");
            }
            PortLocator locator = PortLocator.parse("port", port, deviceTable);
            return new SerialPortConnector(name == null ? locator.toString() : name, locator,
                    new PortSettings(baudRate, dataBits, parity, stopBits, flowControl, openDelay), link);
        }
    }
}
