package io.connback.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The zip ships the Apache License and a NOTICE that names every third-party jar it holds, with its license: the
 * list is checked against the jars actually shipped, both ways, so that a new or upgraded dependency fails the build
 * until the NOTICE tells of it. The Debian package holds the same files (DebianPackageIT).
 */
class ShippedLicensesIT {

    /** A NOTICE line of a jar: two spaces, its path in the gateway, spaces, the component and its license. */
    private static final Pattern JAR_LINE = Pattern.compile("^  ((?:lib|bundle|deploy)/\\S+\\.jar)\\s+(.+)$");
    private static final String ROOT = "connback-gateway/";

    @Test
    void theZipHoldsTheLicenseAndTheNoticeOfTheRepository() throws IOException {
        Path repository = Path.of(System.getProperty("connback.gateway.target")).resolve("../..").normalize();
        try (ZipFile zip = new ZipFile(System.getProperty("connback.gateway.zip"))) {
            assertThat(text(zip, ROOT + "LICENSE")).isEqualTo(Files.readString(repository.resolve("LICENSE")))
                    .contains("Apache License", "Version 2.0, January 2004");
            assertThat(text(zip, ROOT + "NOTICE")).isEqualTo(Files.readString(repository.resolve("NOTICE")));
        }
    }

    @Test
    void theNoticeNamesEachThirdPartyJarShippedAndNoOtherWithTheLicenseItsManifestDeclares() throws IOException {
        try (ZipFile zip = new ZipFile(System.getProperty("connback.gateway.zip"))) {
            Map<String, String> listed = new TreeMap<>();
            for (String line : text(zip, ROOT + "NOTICE").lines().toList()) {
                Matcher jar = JAR_LINE.matcher(line);
                if (jar.matches()) {
                    listed.put(jar.group(1), jar.group(2));
                }
            }
            Map<String, String> shipped = new TreeMap<>();
            for (ZipEntry entry : zip.stream().toList()) {
                String path = entry.getName().substring(ROOT.length());
                if (path.matches("(lib|bundle|deploy)/[^/]+\\.jar") && !path.matches("[a-z]+/connback-[^/]+")) {
                    shipped.put(path, bundleLicense(zip, entry));
                }
            }

            assertThat(listed.keySet()).as("the jars in NOTICE").isEqualTo(shipped.keySet());
            shipped.forEach((jar, license) -> {
                if (license.contains("Apache-2.0") || license.contains("LICENSE-2.0")) {
                    assertThat(listed.get(jar)).as("the license of %s (Bundle-License: %s)", jar, license)
                            .contains("Apache License 2.0");
                }
            });
        }
    }

    private static String text(ZipFile zip, String name) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        assertThat(entry).as("%s in the zip", name).isNotNull();
        try (InputStream in = zip.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String bundleLicense(ZipFile zip, ZipEntry jar) throws IOException {
        try (JarInputStream in = new JarInputStream(zip.getInputStream(jar))) {
            Manifest manifest = in.getManifest();
            String license = manifest == null ? null : manifest.getMainAttributes().getValue("Bundle-License");
            return license == null ? "" : license;
        }
    }
}
