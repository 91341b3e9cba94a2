package io.connback.gateway;

import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * Routes the {@link System.Logger}s of the whole JVM, the bundles' included, to {@link GatewayLog}. Found through
 * {@link java.util.ServiceLoader} on the launcher's class path ({@code META-INF/services}); unlike
 * {@code java.util.logging}, it has no shutdown hook of its own, so the lines that links write while the framework
 * stops on SIGTERM are not lost.
 */
public final class GatewayLoggerFinder extends System.LoggerFinder {

    /** Called by the service loader. */
    public GatewayLoggerFinder() {}

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new GatewayLogger(name);
    }

    /** A logger whose source, in each line, is its name. */
    private record GatewayLogger(String name) implements System.Logger {

        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            return GatewayLog.isLoggable(level);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            GatewayLog.log(level, name, localized(bundle, message), thrown);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            String pattern = localized(bundle, format);
            GatewayLog.log(level, name, params == null || params.length == 0 ? pattern
                    : MessageFormat.format(pattern, params), null);
        }

        @Override
        public void log(Level level, Supplier<String> message, Throwable thrown) {
            if (isLoggable(level)) {
                GatewayLog.log(level, name, message.get(), thrown);
            }
        }

        private static String localized(ResourceBundle bundle, String key) {
            return bundle != null && key != null && bundle.containsKey(key) ? bundle.getString(key) : key;
        }
    }
}
