package io.connback.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.Connback;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * RE2/J is inside the packaged jar: the bundle neither imports nor exports it, and on the module path it is a package
 * of {@code io.connback.link} that pong matchers use with nothing else on the path but the core.
 */
class EmbeddedRegexEngineIT {

    private static final String ENGINE_PACKAGE = "com.google.re2j";

    @Test
    void the_bundle_carries_the_engine_privately() throws IOException {
        try (JarFile jar = new JarFile(linkJar().toFile())) {
            assertThat(jar.getEntry("com/google/re2j/Pattern.class")).as("RE2/J's classes in the jar").isNotNull();
            Attributes headers = jar.getManifest().getMainAttributes();
            assertThat(headers.getValue("Private-Package")).contains(ENGINE_PACKAGE);
            assertThat(headers.getValue("Export-Package")).doesNotContain(ENGINE_PACKAGE);
            assertThat(String.valueOf(headers.getValue("Import-Package"))).doesNotContain(ENGINE_PACKAGE);
        }
    }

    @Test
    void on_the_module_path_the_engine_is_a_hidden_package_of_the_link_module() throws Exception {
        ModuleFinder finder = ModuleFinder.of(linkJar(), coreJar());
        ModuleDescriptor link = finder.find("io.connback.link").orElseThrow().descriptor();
        assertThat(link.isAutomatic()).isFalse();
        assertThat(link.packages()).contains(ENGINE_PACKAGE);
        assertThat(link.exports()).extracting(ModuleDescriptor.Exports::source)
                .containsExactlyInAnyOrder("io.connback.link", "io.connback.link.mqtt");

        // a layer of the two jars alone, over the platform loader: nothing of the test's class path is visible
        Configuration configuration = ModuleLayer.boot().configuration()
                .resolve(finder, ModuleFinder.of(), Set.of("io.connback.link"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(configuration,
                ClassLoader.getPlatformClassLoader());
        Class<?> matcherType = layer.findLoader("io.connback.link").loadClass(PongMatcher.class.getName());
        Object matcher = matcherType.getMethod("parse", String.class).invoke(null, "regex:(.*a){12}$");
        Method matches = matcherType.getMethod("matches", ByteBuffer.class);

        assertThat(matches.invoke(matcher, ByteBuffer.wrap("a".repeat(60).getBytes(StandardCharsets.ISO_8859_1))))
                .isEqualTo(true);
        assertThat(matches.invoke(matcher, ByteBuffer.wrap(("a".repeat(60) + "!").getBytes(
                StandardCharsets.ISO_8859_1)))).isEqualTo(false);
        assertThat(matcherType.getModule().getName()).isEqualTo("io.connback.link");
    }

    /** The jar that {@code package} built; failsafe names it in a system property. */
    private static Path linkJar() {
        String location = System.getProperty("connback.link.jar");
        assertThat(location).as("system property connback.link.jar, set by failsafe").isNotBlank();
        Path jar = Path.of(location);
        assertThat(jar).isRegularFile();
        return jar;
    }

    /** The core's jar, as the reactor put it on the test class path. */
    private static Path coreJar() throws URISyntaxException {
        Path jar = Path.of(Connback.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(jar).as("connback-core on the class path as a jar").isRegularFile();
        return jar;
    }
}
