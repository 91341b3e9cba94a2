package io.connback.serial;

import java.time.Duration;

/**
 * How a serial port is opened: line settings, and the pause jSerialComm may make after opening (its "safety sleep",
 * useful for devices that reset when the port opens; zero by default, so that a replugged device is back at once).
 *
 * @param baudRate bits per second, above zero
 * @param dataBits 5 to 8
 * @param parity the parity
 * @param stopBits the stop bits
 * @param flowControl the flow control
 * @param openDelay the pause after opening
 */
public record PortSettings(int baudRate, int dataBits, Parity parity, StopBits stopBits, FlowControl flowControl,
        Duration openDelay) {

    /** 9600 baud, 8 data bits, no parity, 1 stop bit (8N1), no flow control, no pause after opening. */
    public static final PortSettings DEFAULTS =
            new PortSettings(9600, 8, Parity.NONE, StopBits.ONE, FlowControl.NONE, Duration.ZERO);

    @Override
    public String toString() {
        return baudRate + " " + dataBits + parity.name().charAt(0) + stopBits
                + (flowControl == FlowControl.NONE ? "" : " " + flowControl);
    }
}
