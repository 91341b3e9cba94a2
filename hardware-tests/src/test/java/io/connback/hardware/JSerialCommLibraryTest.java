package io.connback.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import com.fazecast.jSerialComm.SerialPort;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(OS.LINUX)
class JSerialCommLibraryTest {

    @Test
    void theNativeLibraryComesFromThisBuildNotFromTheSharedTempDirectory() throws Exception {
        // JVMs extracting the library into the shared ${java.io.tmpdir}/jSerialComm at once crash (FIELD-NOTES);
        // the pom unpacks it into target/ and points jSerialComm.library.path there
        String libraryPath = System.getProperty("jSerialComm.library.path");
        assertThat(libraryPath).as("jSerialComm.library.path").isNotBlank();
        assertThat(SerialPort.getVersion()).isNotBlank();
        assertThat(Files.readAllLines(Path.of("/proc/self/maps")))
                .filteredOn(mapping -> mapping.endsWith("/libjSerialComm.so"))
                .isNotEmpty()
                .allSatisfy(mapping -> assertThat(mapping).contains(Path.of(libraryPath).toRealPath().toString()));
    }
}
