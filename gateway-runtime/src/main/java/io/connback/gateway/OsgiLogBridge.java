package io.connback.gateway;

import java.lang.System.Logger.Level;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Writes the entries of the OSGi log service (SCR and Configuration Admin log there: a rejected
 * configuration, a bundle that fails to start) to the gateway log. The system bundle exports
 * {@code org.osgi.service.log} from the launcher's class path, so the Felix Log bundle's service is usable here.
 *
 * <p>Records keep their level and their stack trace, but one kind: a component of an {@code io.connback.*} bundle
 * that refuses its configuration throws an {@link IllegalArgumentException} naming the key and the value, and logs
 * that as one ERROR line itself; SCR's record of the failed activation or modification is written as one DEBUG line.
 */
final class OsgiLogBridge extends ServiceTracker<LogReaderService, LogReaderService> implements LogListener {

    /** The prefix of the loggers of framework events: {@code Events.Bundle}, {@code Events.Service}... */
    private static final String FRAMEWORK_EVENTS = "Events.";
    /** The prefix of the symbolic names of the gateway's own bundles. */
    private static final String CONNBACK_BUNDLES = "io.connback.";

    /**
     * Follows the log reader services of a framework.
     *
     * @param context the system bundle's context
     */
    OsgiLogBridge(BundleContext context) {
        super(context, LogReaderService.class, null);
    }

    @Override
    public LogReaderService addingService(ServiceReference<LogReaderService> reference) {
        LogReaderService reader = super.addingService(reference);
        if (reader != null) {
            reader.addLogListener(this);
        }
        return reader;
    }

    @Override
    public void removedService(ServiceReference<LogReaderService> reference, LogReaderService reader) {
        reader.removeLogListener(this);
        super.removedService(reference, reader);
    }

    @Override
    public void logged(LogEntry entry) {
        // every service and bundle event is logged at INFO or DEBUG: the console would show little else
        if (entry.getLoggerName().startsWith(FRAMEWORK_EVENTS) && entry.getLogLevel().implies(LogLevel.INFO)) {
            return;
        }
        String source = entry.getBundle() == null ? entry.getLoggerName() : entry.getBundle().getSymbolicName();
        Throwable cause = rootCause(entry.getException());
        if (cause instanceof IllegalArgumentException && source != null && source.startsWith(CONNBACK_BUNDLES)) {
            // SCR's record of a component of ours that refused its configuration: the component logged the key and
            // the value as one ERROR line already, so this is a detail, one line at DEBUG, not a second error
            GatewayLog.log(Level.DEBUG, source, entry.getMessage() + ": " + cause, null);
        } else {
            GatewayLog.log(level(entry), source, entry.getMessage(), entry.getException());
        }
    }

    private static Throwable rootCause(Throwable error) {
        Throwable cause = error;
        while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static Level level(LogEntry entry) {
        return switch (entry.getLogLevel()) {
            case AUDIT, ERROR -> Level.ERROR;
            case WARN -> Level.WARNING;
            case INFO -> Level.INFO;
            case DEBUG -> Level.DEBUG;
            case TRACE -> Level.TRACE;
        };
    }
}
