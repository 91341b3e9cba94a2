package io.connback.folders.internal.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;

class JarCheckTest {

    @Test
    void aBundleIsNamedByItsManifest() {
        assertThat(JarCheck.check(TestJars.bundle("com.example.meter", "1.2.3", "Import-Package", "org.osgi.framework")))
                .isEqualTo(new JarCheck.Bundle("com.example.meter", new Version(1, 2, 3), false));
        assertThat(JarCheck.check(TestJars.bundle("com.example.meter;singleton:=true", "1.0.0.SNAPSHOT")))
                .as("directives are not part of the name")
                .isEqualTo(new JarCheck.Bundle("com.example.meter", Version.parseVersion("1.0.0.SNAPSHOT"), false));
        assertThat(JarCheck.check(TestJars.bundle("com.example.meter.nl", "1.0.0", "Fragment-Host", "com.example.meter")))
                .isEqualTo(new JarCheck.Bundle("com.example.meter.nl", new Version(1, 0, 0), true));
    }

    @Test
    void aJarWithoutSymbolicNameOrManifestIsNoBundle() {
        assertThat(JarCheck.check(TestJars.jar(Map.of("Main-Class", "com.example.Main"))))
                .isEqualTo(new JarCheck.NotABundle("not a bundle (no Bundle-SymbolicName in its manifest)"));
        assertThat(JarCheck.check(TestJars.zipWithoutManifest()))
                .isEqualTo(new JarCheck.NotABundle("not a bundle (no META-INF/MANIFEST.MF)"));
        assertThat(JarCheck.check(TestJars.bundle("com.example.meter", "1.x")))
                .isInstanceOfSatisfying(JarCheck.NotABundle.class,
                        refused -> assertThat(refused.reason()).startsWith("not a bundle: Bundle-Version '1.x': "));
    }

    @Test
    void everyCutOfABundleIsNoJar() {
        byte[] bundle = TestJars.bundle("com.example.meter", "1.0.0");
        for (int length = 0; length < bundle.length; length++) {
            JarCheck.Result result = JarCheck.check(Arrays.copyOf(bundle, length));
            assertThat(result).as("the first %d of %d bytes", length, bundle.length)
                    .isInstanceOf(JarCheck.NotAJar.class);
        }
        assertThat(JarCheck.check(Arrays.copyOf(bundle, bundle.length / 2))).isEqualTo(
                new JarCheck.NotAJar("not a valid jar (truncated?): no end record of a zip file"));
        assertThat(JarCheck.check(new byte[0])).isEqualTo(new JarCheck.NotAJar("not a jar: the file is empty"));
    }

    @Test
    void randomBytesAndADamagedEntryAreNoJar() {
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        assertThat(JarCheck.check(random))
                .isEqualTo(new JarCheck.NotAJar("not a jar: it does not start as a zip file does"));

        byte[] damaged = TestJars.bundle("com.example.meter", "1.0.0");
        int middle = indexOf(damaged, "content/notes.txt".getBytes(java.nio.charset.StandardCharsets.UTF_8)) + 100;
        damaged[middle] ^= 0x55;
        assertThat(JarCheck.check(damaged)).isInstanceOfSatisfying(JarCheck.NotAJar.class, refused -> assertThat(
                refused.reason()).startsWith("not a valid jar (truncated?): entry content/notes.txt: "));
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
