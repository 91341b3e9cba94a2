package io.connback.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's headless Chromium, driven over the DevTools protocol (a WebSocket of {@code java.net.http}): one page,
 * JavaScript evaluated in it, screenshots. A page that keeps an event stream open never finishes loading, so
 * {@code --dump-dom} would read it before its scripts fetched anything; this reads it when the test asks.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final Pattern ID = Pattern.compile("^\\{\"id\":(\\d+),");
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<String>> answers = new ConcurrentHashMap<>();
    private final String session;

    HeadlessChromium(Path profile, String url, int width, int height) throws Exception {
        process = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "--window-size=" + width + "," + height,
                "about:blank").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        String endpoint = null;
        for (String line; endpoint == null && (line = err.readLine()) != null; ) {
            Matcher devtools = DEVTOOLS.matcher(line);
            if (devtools.find()) {
                endpoint = devtools.group(1);
            }
        }
        if (endpoint == null) {
            throw new IllegalStateException("chromium did not open its DevTools endpoint");
        }
        Thread drain = new Thread(() -> err.lines().forEach(line -> { }), "chromium-stderr");
        drain.setDaemon(true);
        drain.start();
        socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(endpoint), new Listener())
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        String target = field(call(null, "Target.createTarget", "{\"url\":\"about:blank\"}"), "targetId");
        session = field(call(null, "Target.attachToTarget", "{\"targetId\":\"" + target + "\",\"flatten\":true}"),
                "sessionId");
        call(session, "Page.navigate", "{\"url\":\"" + url + "\"}");
    }

    /** Evaluates an expression in the page and returns its value as JSON text (a string unquoted). */
    String evaluate(String expression) throws Exception {
        String answer = call(session, "Runtime.evaluate", "{\"expression\":" + quote(expression)
                + ",\"returnByValue\":true}");
        Matcher value = Pattern.compile("\"value\":(\"(?:[^\"\\\\]|\\\\.)*\"|[^,}]+)").matcher(answer);
        if (!value.find()) {
            return "undefined";
        }
        String raw = value.group(1);
        return raw.startsWith("\"") ? raw.substring(1, raw.length() - 1).replace("\\\"", "\"").replace("\\n", "\n")
                .replace("\\\\", "\\") : raw;
    }

    void screenshot(Path file) throws Exception {
        String data = field(call(session, "Page.captureScreenshot", "{\"format\":\"png\"}"), "data");
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(data));
    }

    private String call(String sessionId, String method, String params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<String> answer = new CompletableFuture<>();
        answers.put(id, answer);
        socket.sendText("{\"id\":" + id + (sessionId == null ? "" : ",\"sessionId\":\"" + sessionId + "\"")
                + ",\"method\":\"" + method + "\",\"params\":" + params + "}", true).get();
        String text = answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (text.contains("\"error\":{")) {
            throw new IllegalStateException(method + ": " + text);
        }
        return text;
    }

    private static String field(String json, String name) {
        Matcher value = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
        if (!value.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return value.group(1);
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    @Override
    public void close() {
        socket.abort();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Collects each message's fragments and completes the call that its id answers. */
    private final class Listener implements WebSocket.Listener {

        private final StringBuilder message = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                String text = message.toString();
                message.setLength(0);
                Matcher id = ID.matcher(text);
                if (id.find()) {
                    CompletableFuture<String> answer = answers.remove(Integer.parseInt(id.group(1)));
                    if (answer != null) {
                        answer.complete(text);
                    }
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
