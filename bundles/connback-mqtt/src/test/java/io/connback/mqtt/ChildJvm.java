package io.connback.mqtt;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Starts a class of these tests in a child JVM, with the test run's classes and jars: a gateway to kill. */
final class ChildJvm {

    private ChildJvm() {}

    /**
     * Starts {@code main} of a test class in a new JVM.
     *
     * @param main the class
     * @param arguments its arguments
     * @return the process builder, to redirect its output, then start
     */
    static ProcessBuilder of(Class<?> main, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", classPath(main), main.getName()));
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command);
    }

    /**
     * The class path of the child: the test classes and every jar of this test run, from the class path or, when
     * the tests run as a module, the module path.
     */
    private static String classPath(Class<?> main) throws IOException {
        String testClasses;
        try {
            testClasses = Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IOException("the test classes of " + main + " are not in a file", e);
        }
        return Stream.concat(Stream.of(testClasses),
                        Stream.of("jdk.module.path", "java.class.path").map(key -> System.getProperty(key, ""))
                                .flatMap(path -> Stream.of(path.split(File.pathSeparator))))
                .filter(entry -> !entry.isEmpty()).distinct()
                .reduce((a, b) -> a + File.pathSeparator + b).orElseThrow();
    }
}
