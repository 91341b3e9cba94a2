package io.connback.osgi.internal;

import io.connback.osgi.ConnbackProperties;
import io.connback.osgi.ConnectionListener;
import java.util.Arrays;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;

/**
 * A whiteboard {@link ConnectionListener} and the links it watches.
 *
 * @param listener the listener service
 * @param names the link names it watches, or empty
 * @param filter a filter over the ManagedConnection properties, or {@code null}
 */
record Watcher(ConnectionListener listener, Set<String> names, Filter filter) {

    static Watcher of(ConnectionListener listener, Map<String, ?> properties) {
        Object names = properties.get(ConnbackProperties.NAME);
        Set<String> nameSet;
        if (names instanceof String[] array) {
            nameSet = Set.copyOf(Arrays.asList(array));
        } else if (names instanceof Collection<?> collection) {
            nameSet = collection.stream().map(String::valueOf).collect(Collectors.toUnmodifiableSet());
        } else {
            nameSet = names == null ? Set.of() : Set.of(names.toString());
        }
        Object filter = properties.get(ConnbackProperties.FILTER);
        try {
            return new Watcher(listener, nameSet,
                    filter == null ? null : FrameworkUtil.createFilter(filter.toString()));
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(ConnbackProperties.FILTER + "=" + filter + ": " + e.getMessage(), e);
        }
    }

    boolean watches(Dictionary<String, ?> connection) {
        if (!names.isEmpty() && !names.contains(String.valueOf(connection.get(ConnbackProperties.NAME)))) {
            return false;
        }
        return filter == null || filter.match(connection);
    }
}
