package io.connback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves both faces of the packaged jar: the OSGi manifest and the JPMS module descriptor export exactly the API
 * packages, and a program on the module path can use them and nothing else.
 */
class PackagingIT {

    private static final String API_VERSION = "0.1.0";
    private static final Set<String> API_PACKAGES = Set.of("io.connback", "io.connback.backoff", "io.connback.config",
            "io.connback.testing");
    private static final long PROCESS_TIMEOUT_SECONDS = 60;

    @TempDir
    Path work;

    @Test
    void manifestExportsExactlyTheApiPackagesWithTheirVersions() throws IOException {
        Attributes headers;
        try (JarFile jar = new JarFile(jar().toFile())) {
            Manifest manifest = jar.getManifest();
            assertThat(manifest).as("manifest of %s", jar.getName()).isNotNull();
            headers = manifest.getMainAttributes();
        }

        assertThat(parseHeader(headers.getValue("Bundle-SymbolicName"))).containsOnlyKeys("io.connback.core");
        Map<String, Map<String, String>> exports = parseHeader(headers.getValue("Export-Package"));
        Map<String, String> exportedVersions = exports.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getOrDefault("version", "")));
        // minor versions grow with the additions: ConnbackListener.onBackoff, InvalidValueException
        assertThat(exportedVersions).isEqualTo(Map.of("io.connback", "0.2.0", "io.connback.backoff", API_VERSION,
                "io.connback.config", "0.2.0", "io.connback.testing", API_VERSION));
        assertThat(exports.keySet()).noneMatch(name -> name.contains("internal"));
    }

    @Test
    void moduleExportsExactlyTheApiPackagesAndIsNotOpen() {
        Set<ModuleReference> modules = ModuleFinder.of(jar()).findAll();
        assertThat(modules).hasSize(1);
        ModuleDescriptor module = modules.iterator().next().descriptor();

        assertThat(module.name()).isEqualTo("io.connback.core");
        assertThat(module.isAutomatic()).as("automatic module").isFalse();
        assertThat(module.isOpen()).as("open module").isFalse();
        assertThat(module.opens()).isEmpty();
        assertThat(module.exports()).noneMatch(ModuleDescriptor.Exports::isQualified);
        assertThat(module.exports()).extracting(ModuleDescriptor.Exports::source)
                .containsExactlyInAnyOrderElementsOf(API_PACKAGES);
        // no dependency at run time: the OSGi annotations are needed to compile only
        assertThat(module.requires()).filteredOn(r -> !r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC))
                .extracting(ModuleDescriptor.Requires::name).containsExactly("java.base");
        // the implementation is inside the module, only hidden
        assertThat(module.packages()).contains("io.connback.internal");
    }

    @Test
    void programOnTheModulePathConnectsThroughTheExportedApi() throws IOException, InterruptedException {
        Path sources = work.resolve("src");
        write(sources, "module-info.java", """
                module demo {
                    requires io.connback.core;
                }
                """);
        write(sources, "demo/Main.java", """
                package demo;

                import io.connback.CancellationToken;
                import io.connback.Connback;
                import io.connback.ConnbackListener;
                import io.connback.ConnbackOptions;
                import io.connback.Connector;
                import io.connback.backoff.BackoffStrategy;
                import java.time.Duration;
                import java.util.concurrent.CompletableFuture;
                import java.util.concurrent.CompletionStage;
                import java.util.concurrent.TimeUnit;

                public final class Main {
                    public static void main(String[] args) throws Exception {
                        Connector<String> connector = new Connector<>() {
                            @Override
                            public CompletionStage<String> connect(Connback<String> connback, CancellationToken token) {
                                return CompletableFuture.completedFuture("demo-client");
                            }

                            @Override
                            public void close(String client, boolean force) {}
                        };
                        ConnbackOptions options = ConnbackOptions.builder()
                                .strategy(BackoffStrategy.exponential())
                                .keepalive(Duration.ZERO)
                                .build();
                        CompletableFuture<String> connected = new CompletableFuture<>();
                        Connback<String> connback = Connback.create(connector, options, new ConnbackListener<>() {
                            @Override
                            public void onConnect(String client) {
                                connected.complete(client);
                            }
                        });
                        String client = connected.get(30, TimeUnit.SECONDS);
                        System.out.println("connected to " + client + " from module " + Main.class.getModule().getName()
                                + " through module " + Connback.class.getModule().getName());
                        connback.end().whenEnded().toCompletableFuture().get(30, TimeUnit.SECONDS);
                    }
                }
                """);
        Path classes = work.resolve("classes");

        Compilation compilation = compile(sources, "--module-path", jar().toString(), "-d", classes.toString(),
                "-Xlint:all", "-Werror");
        assertThat(compilation.succeeded()).as("compiled cleanly: %s", compilation.diagnostics()).isTrue();

        ProcessResult run = runJava("--module-path", jar() + File.pathSeparator + classes, "--module", "demo/demo.Main");
        assertThat(run.exitCode()).as("exit code; output:%n%s", run.output()).isZero();
        assertThat(run.output().lines()).as("output")
                .containsExactly("connected to demo-client from module demo through module io.connback.core");
    }

    @Test
    void internalPackageIsPublicOnTheClassPathButNotVisibleOnTheModulePath() throws IOException {
        String intruder = """
                package intruder;

                import io.connback.internal.SharedScheduler;

                public final class Intruder {
                    public static void main(String[] args) {
                        System.out.println(SharedScheduler.THREADS);
                    }
                }
                """;
        // control: the same source compiles on the class path, so only the module boundary can reject it below
        Path classPathSources = work.resolve("classpath-src");
        write(classPathSources, "intruder/Intruder.java", intruder);
        Compilation onClassPath = compile(classPathSources, "-classpath", jar().toString(),
                "-d", work.resolve("classpath-classes").toString());
        assertThat(onClassPath.succeeded()).as("compiled on the class path: %s", onClassPath.diagnostics()).isTrue();

        Path moduleSources = work.resolve("module-src");
        write(moduleSources, "module-info.java", """
                module intruder {
                    requires io.connback.core;
                }
                """);
        write(moduleSources, "intruder/Intruder.java", intruder);
        Compilation onModulePath = compile(moduleSources, "--module-path", jar().toString(),
                "-d", work.resolve("module-classes").toString());

        assertThat(onModulePath.succeeded()).as("compiled on the module path").isFalse();
        assertThat(onModulePath.diagnostics())
                .anySatisfy(d -> {
                    assertThat(d.getKind()).isEqualTo(Diagnostic.Kind.ERROR);
                    assertThat(d.getCode()).isEqualTo("compiler.err.package.not.visible");
                    assertThat(d.getMessage(Locale.ROOT)).contains("io.connback.internal");
                });
    }

    /** The jar that {@code package} built; failsafe names it in a system property. */
    private static Path jar() {
        String location = System.getProperty("connback.core.jar");
        assertThat(location).as("system property connback.core.jar, set by failsafe").isNotBlank();
        Path jar = Path.of(location);
        assertThat(jar).isRegularFile();
        return jar;
    }

    /**
     * Parses an OSGi manifest header ({@code clause (, clause)*}, each {@code name (; name)* (; key[:]=value)*}) into
     * the parameters of each name. Commas and semicolons inside quoted values, such as a {@code uses:=} list, do not
     * split; directives keep their {@code :} suffix on the key ({@code uses:}).
     */
    private static Map<String, Map<String, String>> parseHeader(String header) {
        assertThat(header).as("header").isNotNull();
        Map<String, Map<String, String>> clauses = new LinkedHashMap<>();
        for (String clause : splitOutsideQuotes(header, ',')) {
            List<String> names = new ArrayList<>();
            Map<String, String> parameters = new LinkedHashMap<>();
            for (String part : splitOutsideQuotes(clause, ';')) {
                int equals = part.indexOf('=');
                if (equals < 0) {
                    names.add(part.trim());
                } else {
                    parameters.put(part.substring(0, equals).trim(), unquote(part.substring(equals + 1).trim()));
                }
            }
            for (String name : names) {
                assertThat(clauses.put(name, parameters)).as("%s named twice in %s", name, header).isNull();
            }
        }
        return clauses;
    }

    private static List<String> splitOutsideQuotes(String text, char separator) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        assertThat(quoted).as("unbalanced quotes in %s", text).isFalse();
        parts.add(text.substring(start));
        return parts;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : value;
    }

    private static void write(Path root, String relativePath, String content) throws IOException {
        Path file = root.resolve(relativePath);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    private record Compilation(boolean succeeded, List<Diagnostic<? extends JavaFileObject>> diagnostics) {}

    /** Compiles every {@code .java} file under {@code sourceRoot} in process. */
    private static Compilation compile(Path sourceRoot, String... options) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertThat(compiler).as("system Java compiler (the tests need a JDK)").isNotNull();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            sources = files.filter(file -> file.toString().endsWith(".java")).toList();
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            boolean succeeded = compiler.getTask(null, files, diagnostics, List.of(options), null,
                    files.getJavaFileObjectsFromPaths(sources)).call();
            return new Compilation(succeeded, diagnostics.getDiagnostics());
        }
    }

    private record ProcessResult(int exitCode, String output) {}

    /** Runs the {@code java} launcher of the running JDK, with a bounded wait; the process never outlives the test. */
    private ProcessResult runJava(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(arguments));
        Path output = Files.createTempFile(work, "java", ".out");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            if (!process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                fail("%s did not end within %d s; output:%n%s", command, PROCESS_TIMEOUT_SECONDS,
                        Files.readString(output));
            }
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        return new ProcessResult(process.exitValue(), Files.readString(output));
    }
}
