package io.connback.gateway;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.hooks.service.EventListenerHook;
import org.osgi.framework.hooks.service.FindHook;
import org.osgi.framework.hooks.service.ListenerHook.ListenerInfo;

/**
 * Hides the Gogo shell's {@code telnetd} command from every bundle, so that the console cannot open a network shell
 * (Gogo's telnet server has no authentication). The Gogo shell bundle registers it as a command service of its own;
 * hidden from the command processor's tracker, {@code telnetd} is an unknown command. Registered by the launcher
 * through the system bundle before any bundle starts.
 */
final class NoNetworkShell implements FindHook, EventListenerHook {

    /** The Gogo functions that open a network port. */
    static final List<String> NETWORK_COMMANDS = List.of("telnetd");

    private static final String COMMAND_FUNCTION = "osgi.command.function";

    @Override
    public void find(BundleContext context, String name, String filter, boolean allServices,
            Collection<ServiceReference<?>> references) {
        references.removeIf(NoNetworkShell::isNetworkCommand);
    }

    @Override
    public void event(ServiceEvent event, Map<BundleContext, Collection<ListenerInfo>> listeners) {
        if (isNetworkCommand(event.getServiceReference())) {
            listeners.clear();
        }
    }

    static boolean isNetworkCommand(ServiceReference<?> reference) {
        Object functions = reference.getProperty(COMMAND_FUNCTION);
        if (functions instanceof String[] names) {
            return List.of(names).stream().anyMatch(NETWORK_COMMANDS::contains);
        }
        if (functions instanceof Collection<?> names) {
            return names.stream().anyMatch(NETWORK_COMMANDS::contains);
        }
        return functions != null && NETWORK_COMMANDS.contains(functions.toString());
    }
}
