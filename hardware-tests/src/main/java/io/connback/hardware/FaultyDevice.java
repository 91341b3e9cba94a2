package io.connback.hardware;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

/** A {@link StreamingSensor} that misbehaves on demand, one {@link Fault} at a time, switchable while it runs. */
public final class FaultyDevice extends StreamingSensor {

    /** What the device sends each period. */
    public enum Fault {
        /** A good reading, {@code T=21.5\r\n}. */
        NONE,
        /** Random bytes, as from a wrong baud rate or line noise. */
        GARBAGE,
        /** An oversize frame: bytes without a line end, then a good reading. */
        OVERSIZE,
        /** Nothing, while the port stays open: a hung device. */
        SILENT
    }

    /** Bytes of garbage per period. */
    public static final int GARBAGE_LENGTH = 64;

    private final int oversizeLength;
    /** Seeded: a failing test sees the same garbage again. */
    private final Random garbage = new Random(0x5EED);
    private volatile Fault fault;

    /**
     * A faulty device that sends every 100 ms.
     *
     * @param fault the fault it starts with
     * @param oversizeLength how many bytes an oversize frame has before its reading
     */
    public FaultyDevice(Fault fault, int oversizeLength) {
        super(Duration.ofMillis(100));
        this.fault = fault;
        this.oversizeLength = oversizeLength;
    }

    /**
     * Switches the fault; takes effect from the next period.
     *
     * @param fault the new fault, {@link Fault#NONE} to heal
     */
    public void inject(Fault fault) {
        this.fault = fault;
    }

    @Override
    protected byte[] emission() {
        return switch (fault) {
            case NONE -> reading();
            case GARBAGE -> noise();
            case OVERSIZE -> oversizeFrame();
            case SILENT -> new byte[0];
        };
    }

    private byte[] noise() {
        byte[] noise = new byte[GARBAGE_LENGTH];
        garbage.nextBytes(noise);
        return noise;
    }

    private byte[] oversizeFrame() {
        byte[] reading = reading();
        byte[] frame = new byte[oversizeLength + reading.length];
        Arrays.fill(frame, 0, oversizeLength, (byte) 'X');
        System.arraycopy(reading, 0, frame, oversizeLength, reading.length);
        return frame;
    }
}
