package io.connback.serial;

import java.util.Locale;

/** The flow control of a serial port; configured as {@code none}, {@code rts/cts} or {@code xon/xoff}. */
public enum FlowControl {
    /** No flow control. */
    NONE("none"),
    /** Hardware flow control on the RTS and CTS lines. */
    RTS_CTS("rts/cts"),
    /** Software flow control with XON and XOFF characters. */
    XON_XOFF("xon/xoff");

    private final String text;

    FlowControl(String text) {
        this.text = text;
    }

    /**
     * The flow control of that configuration name.
     *
     * @param name {@code none}, {@code rts/cts} or {@code xon/xoff}, in any case
     * @return the flow control
     * @throws IllegalArgumentException listing the valid names
     */
    public static FlowControl named(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT);
        for (FlowControl flow : values()) {
            if (flow.text.equals(key)) {
                return flow;
            }
        }
        throw new IllegalArgumentException("expected none, rts/cts or xon/xoff");
    }

    @Override
    public String toString() {
        return text;
    }
}
