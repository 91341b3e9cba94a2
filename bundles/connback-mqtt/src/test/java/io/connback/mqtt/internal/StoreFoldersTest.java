package io.connback.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where a gateway keeps a link's durable queue when store.dir is not set: never under cache/. */
class StoreFoldersTest {

    @Test
    void theDataFolderIsConnbackDataElseKarafsElseBesideTheFrameworkStorage() {
        assertThat(StoreFolders.dataFolder(Map.of("connback.data", "/opt/gw/data", "karaf.data", "/k",
                "org.osgi.framework.storage", "/opt/gw/cache")::get)).isEqualTo(Path.of("/opt/gw/data"));
        assertThat(StoreFolders.dataFolder(Map.of("karaf.data", "/opt/karaf/data",
                "org.osgi.framework.storage", "/opt/karaf/data/cache")::get))
                .isEqualTo(Path.of("/opt/karaf/data/connback"));
        assertThat(StoreFolders.dataFolder(Map.of("org.osgi.framework.storage", "/opt/gw/cache")::get))
                .isEqualTo(Path.of("/opt/gw/data"));
        assertThat(StoreFolders.dataFolder(Map.of("connback.data", " ")::get).startsWith(
                Path.of("felix-cache").toAbsolutePath())).as("never under the storage folder").isFalse();
    }

    @Test
    void aLinkHasAFolderOfItsOwnNamedAfterIt() {
        Path data = Path.of("/opt/gw/data");
        assertThat(StoreFolders.ofLink(data, "uplink")).isEqualTo(Path.of("/opt/gw/data/mqtt/uplink"));
        assertThat(StoreFolders.ofLink(data, "../etc/x y")).isEqualTo(Path.of("/opt/gw/data/mqtt/.._etc_x_y"));
        assertThat(StoreFolders.ofLink(data, "..")).isEqualTo(Path.of("/opt/gw/data/mqtt/_.."));
    }
}
