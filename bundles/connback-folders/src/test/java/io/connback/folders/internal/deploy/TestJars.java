package io.connback.folders.internal.deploy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Jar files made in memory for the tests: bundles with the headers they need, and jars that are no bundles. */
final class TestJars {

    private TestJars() {}

    /**
     * A bundle with a symbolic name, a version and more headers, and one resource that makes its jar some KB long.
     *
     * @param symbolicName its Bundle-SymbolicName
     * @param version its Bundle-Version
     * @param headers more headers, name then value
     * @return the jar's bytes
     */
    static byte[] bundle(String symbolicName, String version, String... headers) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Bundle-ManifestVersion", "2");
        all.put("Bundle-SymbolicName", symbolicName);
        all.put("Bundle-Version", version);
        for (int i = 0; i < headers.length; i += 2) {
            all.put(headers[i], headers[i + 1]);
        }
        return jar(all);
    }

    /**
     * A jar with a manifest of these headers (none: a manifest with only its version).
     *
     * @param headers the main attributes
     * @return the jar's bytes
     */
    static byte[] jar(Map<String, String> headers) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach((name, value) -> manifest.getMainAttributes().putValue(name, value));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            addContent(jar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * A zip file with no manifest.
     *
     * @return its bytes
     */
    static byte[] zipWithoutManifest() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            addContent(zip);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void addContent(ZipOutputStream zip) throws IOException {
        zip.putNextEntry(new ZipEntry("content/notes.txt"));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            text.append("line ").append(i).append(" of a resource that gives the jar a body to cut\n");
        }
        zip.write(text.toString().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }
}
