package io.connback.folders.internal.conf;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Configurations in a map, by PID, as Configuration Admin would hold them, and every version applied; readable from
 * any thread.
 */
final class MapConfigurations implements Configurations {

    final Map<String, Map<String, String>> byPid = new ConcurrentHashMap<>();
    final List<Map<String, String>> applied = new CopyOnWriteArrayList<>();

    @Override
    public Outcome apply(ConfFileName file, Map<String, String> properties) {
        applied.add(Map.copyOf(properties));
        Map<String, String> before = byPid.put(file.configurationPid(), Map.copyOf(properties));
        return before == null ? Outcome.CREATED : before.equals(properties) ? Outcome.UNCHANGED : Outcome.UPDATED;
    }

    @Override
    public boolean delete(String configurationPid) {
        return byPid.remove(configurationPid) != null;
    }

    @Override
    public Map<String, String> fromFiles() {
        Map<String, String> files = new HashMap<>();
        byPid.forEach((pid, properties) -> {
            if (properties.containsKey(ConfFiles.FILE_PROPERTY)) {
                files.put(pid, properties.get(ConfFiles.FILE_PROPERTY));
            }
        });
        return files;
    }
}
