package io.connback.folders.internal.deploy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;

/**
 * What the bytes of a file of {@code deploy/} are: a bundle, a jar that is no bundle, or no complete jar at all (a
 * file still being written, a truncated copy, anything else). The bytes are checked in full, as they will be
 * installed: the end record of the zip file and its central directory, and every entry inflated with its CRC
 * checked, so that a truncated or damaged copy is never taken for a bundle.
 */
final class JarCheck {

    /** What a file's bytes turned out to be. */
    sealed interface Result permits Bundle, NotAJar, NotABundle {}

    /**
     * A bundle, as its manifest names it.
     *
     * @param symbolicName its {@code Bundle-SymbolicName}, without directives
     * @param version its {@code Bundle-Version}, 0.0.0 without one
     * @param fragment whether it is a fragment ({@code Fragment-Host}), which is never started
     */
    record Bundle(String symbolicName, Version version, boolean fragment) implements Result {
        @Override
        public String toString() {
            return symbolicName + " " + version;
        }
    }

    /**
     * Not a complete zip file: it may still be being written, so it is given time before it is reported.
     *
     * @param reason why, for the file's line
     */
    record NotAJar(String reason) implements Result {}

    /**
     * A complete jar that is no bundle.
     *
     * @param reason why, for the file's line
     */
    record NotABundle(String reason) implements Result {}

    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int END_RECORD = 0x06054b50;
    private static final int END_RECORD_SIZE = 22;
    private static final int MAX_COMMENT = 0xFFFF;
    /** The value of a field of the end record that is in the ZIP64 end record instead. */
    private static final long ZIP64_MARK = 0xFFFFFFFFL;
    private static final String TRUNCATED = "not a valid jar (truncated?): ";

    private JarCheck() {}

    /**
     * Checks the bytes of a file.
     *
     * @param bytes the whole file
     * @return what they are
     */
    static Result check(byte[] bytes) {
        if (bytes.length == 0) {
            return new NotAJar("not a jar: the file is empty");
        }
        if (bytes.length < 4 || u32(bytes, 0) != LOCAL_HEADER) {
            return new NotAJar("not a jar: it does not start as a zip file does");
        }
        String endProblem = endRecordProblem(bytes);
        if (endProblem != null) {
            return new NotAJar(TRUNCATED + endProblem);
        }
        Manifest manifest = null;
        String entry = null;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry next = zip.getNextEntry(); next != null; next = zip.getNextEntry()) {
                entry = next.getName();
                if (JarFile.MANIFEST_NAME.equalsIgnoreCase(entry)) {
                    manifest = readManifest(zip);
                    if (manifest == null) {
                        return new NotABundle("not a bundle: its manifest " + JarFile.MANIFEST_NAME
                                + " cannot be read");
                    }
                }
                zip.transferTo(OutputStream.nullOutputStream()); // inflates the entry; its CRC is checked at its end
            }
        } catch (IOException e) {
            return new NotAJar(TRUNCATED + (entry == null ? "" : "entry " + entry + ": ") + e.getMessage());
        }
        if (manifest == null) {
            return new NotABundle("not a bundle (no " + JarFile.MANIFEST_NAME + ")");
        }
        return bundle(manifest.getMainAttributes());
    }

    private static Result bundle(Attributes headers) {
        String symbolicName = headers.getValue(Constants.BUNDLE_SYMBOLICNAME);
        if (symbolicName == null || symbolicName.split(";", 2)[0].isBlank()) {
            return new NotABundle("not a bundle (no " + Constants.BUNDLE_SYMBOLICNAME + " in its manifest)");
        }
        String versionHeader = headers.getValue(Constants.BUNDLE_VERSION);
        Version version;
        try {
            version = versionHeader == null ? Version.emptyVersion : Version.parseVersion(versionHeader.trim());
        } catch (IllegalArgumentException e) {
            return new NotABundle("not a bundle: " + Constants.BUNDLE_VERSION + " '" + versionHeader + "': "
                    + e.getMessage());
        }
        return new Bundle(symbolicName.split(";", 2)[0].trim(), version,
                headers.getValue(Constants.FRAGMENT_HOST) != null);
    }

    /** Reads a manifest to its end, or returns null if it is no manifest (its parse error is no zip damage). */
    private static Manifest readManifest(InputStream in) throws IOException {
        byte[] content = in.readAllBytes();
        try {
            return new Manifest(new ByteArrayInputStream(content));
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Finds the end record of the zip file: the last thing in it, followed only by its comment. A file cut short
     * has none, or one whose central directory does not end where the record is.
     */
    private static String endRecordProblem(byte[] bytes) {
        int lowest = Math.max(0, bytes.length - END_RECORD_SIZE - MAX_COMMENT);
        for (int at = bytes.length - END_RECORD_SIZE; at >= lowest; at--) {
            if (u32(bytes, at) == END_RECORD && u16(bytes, at + 20) == bytes.length - at - END_RECORD_SIZE) {
                long directorySize = u32(bytes, at + 12) & ZIP64_MARK;
                long directoryStart = u32(bytes, at + 16) & ZIP64_MARK;
                if (directorySize == ZIP64_MARK || directoryStart == ZIP64_MARK) {
                    return null; // a ZIP64 file: its entries are read in full below all the same
                }
                if (directoryStart + directorySize != at
                        || (directorySize > 0 && u32(bytes, (int) directoryStart) != CENTRAL_HEADER)) {
                    return "its central directory is not where its end record says";
                }
                return null;
            }
        }
        return "no end record of a zip file";
    }

    private static int u16(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8;
    }

    private static int u32(byte[] bytes, int at) {
        return u16(bytes, at) | u16(bytes, at + 2) << 16;
    }
}
