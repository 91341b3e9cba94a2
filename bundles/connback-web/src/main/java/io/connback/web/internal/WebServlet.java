package io.connback.web.internal;

import io.connback.osgi.LinkStatus;
import io.connback.osgi.LinkStatuses;
import io.connback.osgi.ManagedConnection;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Everything under {@code /connback/}: the page's files, the JSON API, the event stream, the health URL and the
 * metrics. Called on Jetty's threads; it keeps no state of its own.
 *
 * <p>Every answer carries a Content-Security-Policy that lets the page load its own files only, and
 * {@code X-Content-Type-Options: nosniff}; none allows another origin (no CORS). Errors are JSON:
 * {@code {"error": "..."}}, 404 for an unknown link or path, 400 for a malformed one, 405 for a wrong method, 413 for a
 * body over {@value #MAX_BODY} bytes, 401 for a reconnect without the token, 403 when no token is configured, and 403
 * for a request to another host name than a loopback one while the page listens on loopback only (DNS rebinding).
 */
final class WebServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** Where the whiteboard mounts the servlet. */
    static final String PATTERN = "/connback/*";
    /** No request of the API needs a body: a reconnect's is read up to this size and ignored, a larger one refused. */
    static final int MAX_BODY = 1024;
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final String JSON = "application/json; charset=utf-8";
    private static final Map<String, String> PAGE_FILES = Map.of("/", "index.html", "/app.js", "app.js",
            "/style.css", "style.css");
    private static final Map<String, String> CONTENT_TYPES = Map.of("index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8", "style.css", "text/css; charset=utf-8");
    private static final String EVENTS = "/events";
    private static final String RECONNECT = "/reconnect";
    private static final String LINKS = "/api/links";
    private static final Logger LOG = System.getLogger(WebServlet.class.getName());

    private final transient LinkStatuses statuses;
    private final transient LinkHistory history;
    private final transient Supplier<WebSettings> settings;
    private final transient Clock clock;
    private final transient Map<String, byte[]> page;

    WebServlet(LinkStatuses statuses, LinkHistory history, Supplier<WebSettings> settings, Clock clock) {
        this.statuses = statuses;
        this.history = history;
        this.settings = settings;
        this.clock = clock;
        this.page = Map.of("index.html", pageFile("index.html"), "app.js", pageFile("app.js"), "style.css",
                pageFile("style.css"));
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Cache-Control", "no-store");
        if (settings.get().loopbackOnly() && !WebSettings.isLoopbackName(request.getServerName())) {
            error(response, 403, "this gateway's web status answers only at a loopback address, e.g. 127.0.0.1");
            return;
        }
        String path = request.getPathInfo();
        if (path == null) {
            response.sendRedirect(request.getContextPath() + request.getServletPath() + "/");
            return;
        }
        if (!path.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            error(response, 400, "malformed path: control characters");
            return;
        }
        String method = request.getMethod();
        if (path.startsWith(LINKS + "/") && path.endsWith(RECONNECT)) {
            if (!"POST".equals(method)) {
                notAllowed(response, "POST");
            } else {
                reconnect(request, response, linkName(path, RECONNECT));
            }
            return;
        }
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            notAllowed(response, "GET, HEAD");
            return;
        }
        if (PAGE_FILES.containsKey(path)) {
            String file = PAGE_FILES.get(path);
            send(response, 200, CONTENT_TYPES.get(file), page.get(file));
        } else if ("/health".equals(path)) {
            Health health = Health.of(statuses.all());
            send(response, health.httpStatus(), JSON, health.toJson());
        } else if ("/metrics".equals(path)) {
            send(response, 200, Metrics.CONTENT_TYPE, Metrics.write(statuses.all(), history::outages));
        } else if (LINKS.equals(path)) {
            send(response, 200, JSON, LinkJson.links(statuses.all(), clock.instant()));
        } else if ("/api/events".equals(path)) {
            events(request, response);
        } else if (path.startsWith(LINKS + "/") && path.endsWith(EVENTS)) {
            changes(response, linkName(path, EVENTS));
        } else if (path.startsWith(LINKS + "/")) {
            link(response, linkName(path, ""));
        } else {
            error(response, 404, "no such resource: " + path);
        }
    }

    /** The link name in {@code /api/links/NAME} + suffix, or empty if malformed (empty, or with a slash). */
    private static Optional<String> linkName(String path, String suffix) {
        int start = LINKS.length() + 1;
        int end = path.length() - suffix.length();
        String name = end > start ? path.substring(start, end) : "";
        return name.isEmpty() || name.contains("/") ? Optional.empty() : Optional.of(name);
    }

    private void link(HttpServletResponse response, Optional<String> name) throws IOException {
        if (name.isEmpty()) {
            error(response, 400, "malformed link path: expected /connback/api/links/NAME");
            return;
        }
        Optional<LinkStatus> status = statuses.status(name.get());
        if (status.isEmpty()) {
            error(response, 404, "no link named " + name.get());
            return;
        }
        Json json = new Json();
        LinkJson.write(json, status.get());
        send(response, 200, JSON, json.toString());
    }

    private void changes(HttpServletResponse response, Optional<String> name) throws IOException {
        if (name.isEmpty()) {
            error(response, 400, "malformed link path: expected /connback/api/links/NAME/events");
            return;
        }
        List<LinkChange> changes = history.changes(name.get());
        if (changes.isEmpty() && statuses.status(name.get()).isEmpty()) {
            error(response, 404, "no link named " + name.get());
            return;
        }
        send(response, 200, JSON, LinkJson.changes(name.get(), changes, clock.instant()));
    }

    private void reconnect(HttpServletRequest request, HttpServletResponse response, Optional<String> name)
            throws IOException {
        if (!bodyWithinBound(request)) {
            error(response, 413, "a request body is limited to " + MAX_BODY + " bytes");
            return;
        }
        WebSettings current = settings.get();
        if (current.token().isEmpty()) {
            error(response, 403, "reconnect over HTTP is off: set a token in conf/io.connback.http.cfg");
            return;
        }
        if (!current.authorizes(request.getHeader("Authorization"))) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"connback\"");
            error(response, 401, "a reconnect needs the header Authorization: Bearer TOKEN, with the token of "
                    + "conf/io.connback.http.cfg");
            return;
        }
        if (name.isEmpty()) {
            error(response, 400, "malformed link path: expected /connback/api/links/NAME/reconnect");
            return;
        }
        Optional<ManagedConnection> connection = history.connection(name.get());
        if (connection.isEmpty()) {
            error(response, 404, statuses.status(name.get()).isPresent()
                    ? "link " + name.get() + " does not run: its configuration is refused"
                    : "no link named " + name.get());
            return;
        }
        LOG.log(Level.INFO, "link " + name.get() + ": reconnect requested over HTTP by " + request.getRemoteAddr());
        connection.get().reconnect();
        send(response, 202, JSON, new Json().beginObject().member("name", name.get())
                .member("reconnecting", true).endObject().toString());
    }

    /** Reads the body, if any, up to the bound; tells whether it stayed within it. */
    private static boolean bodyWithinBound(HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() > MAX_BODY) {
            return false;
        }
        try (InputStream body = request.getInputStream()) {
            return body.readNBytes(MAX_BODY + 1).length <= MAX_BODY;
        }
    }

    private void events(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType("text/event-stream; charset=utf-8");
        response.setHeader("X-Accel-Buffering", "no");
        if ("HEAD".equals(request.getMethod())) {
            return;
        }
        AsyncContext client = request.startAsync();
        client.setTimeout(0); // the stream lasts until the client leaves or the bundle stops
        history.stream().add(client);
    }

    private static void notAllowed(HttpServletResponse response, String allowed) throws IOException {
        response.setHeader("Allow", allowed);
        error(response, 405, "method not allowed; allowed: " + allowed);
    }

    private static void error(HttpServletResponse response, int status, String message) throws IOException {
        send(response, status, JSON, LinkJson.error(message));
    }

    private static void send(HttpServletResponse response, int status, String contentType, String body)
            throws IOException {
        send(response, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpServletResponse response, int status, String contentType, byte[] body)
            throws IOException {
        response.setStatus(status);
        response.setContentType(contentType);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static byte[] pageFile(String name) {
        try (InputStream in = WebServlet.class.getResourceAsStream("page/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the bundle lacks its page file page/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the page file page/" + name, e);
        }
    }
}
