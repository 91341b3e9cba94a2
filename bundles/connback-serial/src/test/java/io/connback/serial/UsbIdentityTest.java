package io.connback.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UsbIdentityTest {

    @Test
    void parsesVendorProductAndOptionalSerial() {
        assertThat(UsbIdentity.parse("port", "usb:0403:6001"))
                .isEqualTo(new UsbIdentity("0403", "6001", Optional.empty()));
        assertThat(UsbIdentity.parse("port", "USB:10C4:EA60:A50285BI"))
                .isEqualTo(new UsbIdentity("10c4", "ea60", Optional.of("A50285BI")));
        assertThat(UsbIdentity.parse("port", "usb:10c4:ea60:A50285BI")).hasToString("usb:10c4:ea60:A50285BI");
    }

    @ParameterizedTest
    @ValueSource(strings = {"usb:403:6001", "usb:0403", "usb:04g3:6001", "usb:0403:6001:", "usb:0403:6001:a b"})
    void rejectsMalformedIdentitiesNamingKeyAndValue(String text) {
        assertThatThrownBy(() -> UsbIdentity.parse("port", text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port").hasMessageContaining("'" + text + "'");
    }

    @Test
    void anIdentityWithoutSerialMatchesAnySerial() {
        UsbIdentity anyFtdi = UsbIdentity.parse("port", "usb:0403:6001");
        UsbIdentity oneFtdi = UsbIdentity.parse("port", "usb:0403:6001:A1");
        assertThat(anyFtdi.matches(oneFtdi)).isTrue();
        assertThat(anyFtdi.matches(new UsbIdentity("0403", "6001", Optional.empty()))).isTrue();
        assertThat(oneFtdi.matches(UsbIdentity.parse("port", "usb:0403:6001:A2"))).isFalse();
        assertThat(oneFtdi.matches(anyFtdi)).as("a device without serial is not the one named").isFalse();
        assertThat(anyFtdi.matches(UsbIdentity.parse("port", "usb:0403:6015"))).isFalse();
    }

    @Test
    void tellsIdentitiesFromPaths() {
        assertThat(UsbIdentity.isUsbIdentity("usb:0403:6001")).isTrue();
        assertThat(UsbIdentity.isUsbIdentity("/dev/ttyUSB0")).isFalse();
        assertThat(UsbIdentity.isUsbIdentity("/dev/serial/by-id/usb-FTDI_A50285BI-if00-port0")).isFalse();
    }
}
