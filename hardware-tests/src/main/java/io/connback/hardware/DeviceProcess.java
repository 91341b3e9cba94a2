package io.connback.hardware;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * An {@link EmulatedDevice} in a process of its own, for tests that cannot load the devices where they run (a probe
 * inside an OSGi framework, where neither this module nor JNA is a bundle):
 * {@code java -cp <this jar>:<jna jar> io.connback.hardware.DeviceProcess <program> <link>}.
 *
 * <p>The protocol is line-based. Once the device is plugged in, standard output says {@code READY <link>}. Each line
 * on standard input is a command, answered with one line: {@code unplug} ({@code UNPLUGGED}), {@code replug}
 * ({@code REPLUGGED <link>}, under the same link); anything else is answered with {@code UNKNOWN <line>}. When
 * standard input ends (the parent closed it, or died) the device is closed, which removes the link, and the process
 * exits: a test that dies leaves no pty behind. Failures go to standard error, with exit status 1; a bad command line
 * exits with status 2.
 */
public final class DeviceProcess {

    private DeviceProcess() {}

    /**
     * Runs the device until standard input ends.
     *
     * @param args the program ({@code echo}, {@code modbus} or {@code sensor}) and the link to plug it in under
     * @throws IOException if the device cannot be plugged in, a command fails, or the program failed
     */
    public static void main(String[] args) throws IOException {
        Supplier<DeviceProgram> program = args.length == 2 ? program(args[0]) : null;
        if (program == null) {
            System.err.println("usage: DeviceProcess echo|modbus|sensor <link path>");
            System.exit(2);
            return;
        }
        Path link = Path.of(args[1]).toAbsolutePath();
        PrintStream out = System.out;
        try (EmulatedDevice device = EmulatedDevice.plugIn(args[0], program.get(), link)) {
            out.println("READY " + link);
            out.flush();
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String command = commands.readLine(); command != null; command = commands.readLine()) {
                out.println(run(device, command.strip(), link));
                out.flush();
            }
        }
    }

    private static Supplier<DeviceProgram> program(String name) {
        return switch (name) {
            case "echo" -> EchoDevice::new;
            case "modbus" -> ModbusLikeDevice::new;
            case "sensor" -> StreamingSensor::new;
            default -> null;
        };
    }

    private static String run(EmulatedDevice device, String command, Path link) throws IOException {
        switch (command) {
            case "unplug" -> {
                device.unplug();
                return "UNPLUGGED";
            }
            case "replug" -> {
                device.replug(link);
                return "REPLUGGED " + link;
            }
            default -> {
                return "UNKNOWN " + command;
            }
        }
    }
}
