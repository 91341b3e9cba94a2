package io.connback.serial;

import io.connback.config.ConfigValues;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who a USB serial device is, whatever path it gets: vendor id, product id and, when the device has one, its serial
 * number. Written {@code usb:0403:6001} or {@code usb:0403:6001:A50285BI} in configuration.
 *
 * @param vendorId four lower-case hex digits
 * @param productId four lower-case hex digits
 * @param serial the serial number, or empty to match any
 */
public record UsbIdentity(String vendorId, String productId, Optional<String> serial) {

    private static final Pattern FORM =
            Pattern.compile("usb:([0-9a-f]{4}):([0-9a-f]{4})(?::(\\S+))?", Pattern.CASE_INSENSITIVE);

    /**
     * Creates an identity, with the ids in lower case as sysfs writes them (configurations may not).
     *
     * @param vendorId four hex digits
     * @param productId four hex digits
     * @param serial the serial number, or empty to match any
     */
    public UsbIdentity {
        vendorId = vendorId.toLowerCase(Locale.ROOT);
        productId = productId.toLowerCase(Locale.ROOT);
    }

    /**
     * Whether {@code text} is written as a USB identity rather than a path.
     *
     * @param text a configured port
     * @return {@code true} if it starts with {@code usb:}
     */
    public static boolean isUsbIdentity(String text) {
        return text.regionMatches(true, 0, "usb:", 0, 4);
    }

    /**
     * Parses {@code usb:VID:PID[:SERIAL]}.
     *
     * @param key the configuration key, named in errors
     * @param text the value
     * @return the identity
     * @throws IllegalArgumentException naming the key and the value if malformed
     */
    public static UsbIdentity parse(String key, String text) {
        Matcher matcher = FORM.matcher(text.trim());
        if (!matcher.matches()) {
            throw ConfigValues.invalid(key, text,
                    "expected a device path or usb:VID:PID[:SERIAL] with 4-digit hex ids, e.g. usb:0403:6001");
        }
        return new UsbIdentity(matcher.group(1), matcher.group(2), Optional.ofNullable(matcher.group(3)));
    }

    /**
     * Whether a device with these ids and serial is this one.
     *
     * @param other a device's identity
     * @return {@code true} if vendor and product match, and the serial too when this identity names one
     */
    public boolean matches(UsbIdentity other) {
        return vendorId.equals(other.vendorId) && productId.equals(other.productId)
                && serial.map(s -> other.serial.map(s::equals).orElse(false)).orElse(true);
    }

    @Override
    public String toString() {
        return "usb:" + vendorId + ":" + productId + serial.map(s -> ":" + s).orElse("");
    }
}
