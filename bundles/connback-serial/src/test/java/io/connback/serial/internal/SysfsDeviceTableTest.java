package io.connback.serial.internal;

import io.connback.serial.DeviceTable;
import io.connback.serial.SerialDevice;
import io.connback.serial.UsbIdentity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a fake {@code /sys} and {@code /dev} laid out as Linux lays them out for USB serial adapters. */
class SysfsDeviceTableTest {

    @TempDir
    Path root;

    private Path sys() {
        return root.resolve("sys");
    }

    private Path dev() {
        return root.resolve("dev");
    }

    /** A ttyUSB (usb-serial driver): the tty's device is the port, below the interface, below the USB device. */
    private void ttyUsb(String name, String usbPath, String vendor, String product, String serial) throws IOException {
        Path usbDevice = sys().resolve("devices/pci0000:00/0000:00:14.0/usb1/" + usbPath);
        Path port = usbDevice.resolve(usbPath + ":1.0/" + name);
        Path ttyDir = port.resolve("tty/" + name);
        Files.createDirectories(ttyDir);
        Files.writeString(usbDevice.resolve("idVendor"), vendor + "\n");
        Files.writeString(usbDevice.resolve("idProduct"), product + "\n");
        if (serial != null) {
            Files.writeString(usbDevice.resolve("serial"), serial + "\n");
        }
        Files.writeString(usbDevice.resolve("manufacturer"), "FTDI\n");
        Files.writeString(usbDevice.resolve("product"), "FT232R USB UART\n");
        Files.writeString(port.getParent().resolve("bInterfaceNumber"), "00\n");
        Files.createSymbolicLink(ttyDir.resolve("device"), ttyDir.relativize(port));
        link(name, ttyDir);
    }

    /** A ttyACM (cdc_acm): the tty's device is the interface itself. */
    private void ttyAcm(String name, String usbPath, String vendor, String product) throws IOException {
        Path usbDevice = sys().resolve("devices/pci0000:00/0000:00:14.0/usb1/" + usbPath);
        Path iface = usbDevice.resolve(usbPath + ":1.0");
        Path ttyDir = iface.resolve("tty/" + name);
        Files.createDirectories(ttyDir);
        Files.writeString(usbDevice.resolve("idVendor"), vendor + "\n");
        Files.writeString(usbDevice.resolve("idProduct"), product + "\n");
        Files.createSymbolicLink(ttyDir.resolve("device"), ttyDir.relativize(iface));
        link(name, ttyDir);
    }

    /** An on-board UART: a device, but not on USB. */
    private void ttyS(String name) throws IOException {
        Path port = sys().resolve("devices/pnp0/00:00/" + name);
        Path ttyDir = port.resolve("tty/" + name);
        Files.createDirectories(ttyDir);
        Files.createSymbolicLink(ttyDir.resolve("device"), ttyDir.relativize(port));
        link(name, ttyDir);
    }

    /** A virtual terminal: no device link. */
    private void virtual(String name) throws IOException {
        Path ttyDir = sys().resolve("devices/virtual/tty/" + name);
        Files.createDirectories(ttyDir);
        link(name, ttyDir);
    }

    private void link(String name, Path ttyDir) throws IOException {
        Path classTty = sys().resolve("class/tty");
        Files.createDirectories(classTty);
        Files.createSymbolicLink(classTty.resolve(name), classTty.relativize(ttyDir));
        Files.createDirectories(dev());
        Files.createFile(dev().resolve(name));
    }

    @Test
    void findsUsbSerialAdaptersWithTheirIdentityAndSkipsVirtualTerminals() throws IOException {
        ttyUsb("ttyUSB0", "1-2", "0403", "6001", "A50285BI");
        ttyAcm("ttyACM0", "1-3", "2341", "0043");
        ttyS("ttyS0");
        virtual("tty1");

        SysfsDeviceTable table = new SysfsDeviceTable(sys(), dev());
        assertThat(table.devices()).containsExactly(
                new SerialDevice(dev().resolve("ttyACM0"),
                        Optional.of(new UsbIdentity("2341", "0043", Optional.empty())), ""),
                new SerialDevice(dev().resolve("ttyS0"), Optional.empty(), ""),
                new SerialDevice(dev().resolve("ttyUSB0"),
                        Optional.of(new UsbIdentity("0403", "6001", Optional.of("A50285BI"))),
                        "FTDI FT232R USB UART"));
        assertThat(table.nodeFolder()).isEqualTo(dev());
    }

    @Test
    void leavesOutTheUartSlotsWithNoUartBehindThem() throws IOException {
        ttyS("ttyS0");
        Files.writeString(sys().resolve("devices/pnp0/00:00/ttyS0/tty/ttyS0/type"), "4\n");
        ttyS("ttyS1");
        Files.writeString(sys().resolve("devices/pnp0/00:00/ttyS1/tty/ttyS1/type"), "0\n");

        assertThat(new SysfsDeviceTable(sys(), dev()).devices()).extracting(SerialDevice::path)
                .containsExactly(dev().resolve("ttyS0"));
    }

    @Test
    void aDeviceWhoseNodeIsGoneIsNotListed() throws IOException {
        ttyUsb("ttyUSB0", "1-2", "0403", "6001", null);
        Files.delete(dev().resolve("ttyUSB0"));
        assertThat(new SysfsDeviceTable(sys(), dev()).devices()).isEmpty();
    }

    @Test
    void aMachineWithoutSysfsHasNoDevices() throws IOException {
        assertThat(new SysfsDeviceTable(root.resolve("nothing"), dev()).devices()).isEmpty();
    }

    @Test
    void readsThisMachinesSysfsWithoutFailing() throws IOException {
        assertThat(SysfsDeviceTable.system().devices()).allSatisfy(device -> assertThat(device.path()).exists());
    }
}
