package io.connback.web.internal;

import io.connback.osgi.ConfigurationCheck;
import io.connback.osgi.LinkStatuses;
import jakarta.servlet.Servlet;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.osgi.service.servlet.runtime.HttpServiceRuntimeConstants;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;
import org.osgi.service.servlet.whiteboard.annotations.RequireHttpWhiteboard;

/**
 * The gateway's web status: reads {@code conf/io.connback.http.cfg}, tells Felix HTTP where to listen, and registers
 * the servlet of {@code /connback/}.
 *
 * <p>Where Jetty listens: the component writes the host and port into Felix HTTP's own configuration
 * ({@code org.apache.felix.http}, through Configuration Admin) with {@code org.apache.felix.http.enable = true}. The
 * gateway's launcher sets the framework property {@code org.apache.felix.http.enable=false}, so Jetty listens on no port
 * until this component has read its file: never on Jetty's default (every interface, port 8080), even for a moment,
 * and not at all without this bundle. When the component stops, the configuration says
 * {@code org.apache.felix.http.enable = false}: removing the bundle closes the port.
 *
 * <p>The servlet is registered by hand rather than as a component's service: a component's configuration would be in
 * its service properties, which every bundle reads, and the token with it.
 *
 * <p>A refused file (one ERROR line per bad key, naming the file, as for links) leaves the previous settings in force:
 * at the start, the defaults (127.0.0.1, port 8181, no token).
 */
@RequireHttpWhiteboard
@Component(configurationPid = WebSettings.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, service = {})
@Designate(ocd = WebComponent.Config.class)
public final class WebComponent {

    /** Felix HTTP Jetty's configuration PID. */
    static final String FELIX_HTTP_PID = "org.apache.felix.http";
    private static final String HTTP_ENABLE = "org.apache.felix.http.enable";
    private static final String HTTP_HOST = "org.apache.felix.http.host";
    private static final String HTTP_PORT = "org.osgi.service.http.port";
    private static final Logger LOG = System.getLogger(WebComponent.class.getName());

    /** The keys of {@code conf/io.connback.http.cfg}, for the metatype. */
    @ObjectClassDefinition(name = "Connback web status",
            description = "The page, API, health URL and metrics under /connback/ (conf/io.connback.http.cfg)")
    public @interface Config {

        /** @return the address to listen on */
        @AttributeDefinition(description = "The address to listen on; 0.0.0.0 for every interface")
        String host() default WebSettings.DEFAULT_HOST;

        /** @return the TCP port */
        @AttributeDefinition(description = "The TCP port", min = "1", max = "65535")
        int port() default WebSettings.DEFAULT_PORT;

        /** @return the token of the reconnect requests, empty for none */
        @AttributeDefinition(required = false, type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD,
                description = "Allows POST /connback/api/links/NAME/reconnect with 'Authorization: Bearer TOKEN' "
                        + "(at least 16 characters); without it, reconnect over HTTP is off")
        String token() default "";
    }

    private final ConfigurationAdmin configurationAdmin;
    private final ServiceRegistration<Servlet> registration;
    private volatile WebSettings settings = WebSettings.DEFAULTS;

    /**
     * Applies the file's settings and registers the servlet.
     *
     * @param context the bundle's context
     * @param configuration the component's configuration (the file's keys)
     * @param configurationAdmin where Felix HTTP's configuration is written
     * @param statuses every link's status
     * @param history the links' recent changes and the event stream
     */
    @Activate
    public WebComponent(BundleContext context, Map<String, Object> configuration,
            @Reference ConfigurationAdmin configurationAdmin, @Reference LinkStatuses statuses,
            @Reference LinkHistory history) {
        this.configurationAdmin = configurationAdmin;
        modified(configuration);
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN, WebServlet.PATTERN);
        properties.put(HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_NAME, "connback");
        properties.put(HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_ASYNC_SUPPORTED, Boolean.TRUE);
        this.registration = context.registerService(Servlet.class,
                new WebServlet(statuses, history, () -> settings, Clock.systemUTC()), properties);
    }

    /**
     * Applies a saved file: its settings if they are good, else one ERROR line per bad key.
     *
     * @param configuration the component's configuration
     */
    @Modified
    void modified(Map<String, Object> configuration) {
        if (!configuration.containsKey("service.pid")) {
            settings = WebSettings.DEFAULTS; // no conf/io.connback.http.cfg, or deleted: the defaults
            applyListener(settings);
            return;
        }
        ConfigurationCheck check = WebSettings.check(configuration);
        check.warnings().forEach(line -> LOG.log(Level.WARNING, line));
        if (!check.problems().isEmpty()) {
            check.problems().forEach(line -> LOG.log(Level.ERROR, line + " (the web status keeps "
                    + settings.host() + ":" + settings.port() + ")"));
            applyListener(settings);
            return;
        }
        WebSettings next = WebSettings.fromMap(configuration);
        settings = next;
        applyListener(next);
    }

    /** Tells Felix HTTP where to listen; it restarts Jetty only if that changed. */
    private void applyListener(WebSettings applied) {
        Dictionary<String, Object> properties = listener(applied);
        try {
            Configuration jetty = configurationAdmin.getConfiguration(FELIX_HTTP_PID, "?");
            if (!listensOn(jetty, applied)) {
                probe(applied);
            }
            jetty.updateIfDifferent(properties);
        } catch (IOException e) {
            LOG.log(Level.ERROR, "cannot configure Felix HTTP (" + FELIX_HTTP_PID + "): " + e.getMessage(), e);
        }
    }

    private static Dictionary<String, Object> listener(WebSettings applied) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(HTTP_ENABLE, Boolean.TRUE);
        properties.put(HTTP_HOST, applied.host());
        properties.put(HTTP_PORT, applied.port());
        return properties;
    }

    private static boolean listensOn(Configuration jetty, WebSettings applied) {
        Dictionary<String, Object> current = jetty.getProperties();
        return current != null && Boolean.TRUE.equals(current.get(HTTP_ENABLE))
                && applied.host().equals(current.get(HTTP_HOST))
                && Integer.valueOf(applied.port()).equals(current.get(HTTP_PORT));
    }

    /**
     * Jetty says nothing in the gateway's log when it cannot listen (its own log goes to SLF4J's NOP): a port that
     * is taken or an address that is not this machine's is told here, before Jetty tries. A probe, not a guarantee.
     */
    private static void probe(WebSettings applied) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(applied.host(), applied.port()));
        } catch (IOException e) {
            LOG.log(Level.ERROR, "the web status cannot listen on " + applied.host() + ":" + applied.port()
                    + " (conf/io.connback.http.cfg host and port): " + e.getMessage());
        }
    }

    /**
     * Tells where the page is, once Felix HTTP listens: its runtime service names its endpoints.
     *
     * @param runtime the runtime service of the Servlet Whiteboard
     */
    @Reference(service = HttpServiceRuntime.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void bindRuntime(ServiceReference<HttpServiceRuntime> runtime) {
        LOG.log(Level.INFO, "web status at " + endpoints(runtime).stream().map(endpoint -> endpoint + "connback/")
                .collect(Collectors.joining(", ")) + (settings.token().isPresent()
                        ? " (reconnect over HTTP allowed with the token)" : ""));
    }

    void unbindRuntime(ServiceReference<HttpServiceRuntime> runtime) {
        LOG.log(Level.INFO, "web status no longer at " + String.join(", ", endpoints(runtime)));
    }

    private static List<String> endpoints(ServiceReference<HttpServiceRuntime> runtime) {
        Object endpoints = runtime.getProperty(HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT);
        if (endpoints instanceof String[] array) {
            return List.of(array);
        }
        if (endpoints instanceof Collection<?> collection) {
            return collection.stream().map(String::valueOf).toList();
        }
        return endpoints == null ? List.of("(no endpoint)") : List.of(endpoints.toString());
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
        try {
            // disabled rather than deleted: without a configuration, Felix HTTP would fall back to the framework's
            // properties, which outside the gateway (Karaf) mean every interface, port 8080
            Dictionary<String, Object> properties = listener(settings);
            properties.put(HTTP_ENABLE, Boolean.FALSE);
            configurationAdmin.getConfiguration(FELIX_HTTP_PID, "?").updateIfDifferent(properties);
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.WARNING, "cannot disable Felix HTTP (" + FELIX_HTTP_PID + "): " + e);
        }
    }
}
