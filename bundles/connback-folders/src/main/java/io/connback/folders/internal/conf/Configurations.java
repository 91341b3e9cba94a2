package io.connback.folders.internal.conf;

import java.io.IOException;
import java.util.Map;

/**
 * Where the configurations of the files go: Configuration Admin in the framework ({@link AdminConfigurations}), a
 * map in unit tests. Called on the {@code connback-conf} thread only, never under a lock.
 */
interface Configurations {

    /** What applying did. */
    enum Outcome {
        /** The configuration did not exist, or had no properties. */
        CREATED,
        /** It had other properties. */
        UPDATED,
        /** It had these properties already: nothing was done. */
        UNCHANGED
    }

    /**
     * Creates or updates the configuration of a file, unless it has these properties already.
     *
     * @param file the file's name, which names the configuration
     * @param properties its properties
     * @return what was done
     * @throws IOException if Configuration Admin cannot store it
     */
    Outcome apply(ConfFileName file, Map<String, String> properties) throws IOException;

    /**
     * Deletes a configuration, if it exists.
     *
     * @param configurationPid its PID
     * @return whether it existed
     * @throws IOException if Configuration Admin cannot delete it
     */
    boolean delete(String configurationPid) throws IOException;

    /**
     * The configurations made from files, e.g. by an earlier run of a framework that keeps its configurations.
     *
     * @return the PID of each, with its {@value ConfFiles#FILE_PROPERTY} property
     * @throws IOException if Configuration Admin cannot list them
     */
    Map<String, String> fromFiles() throws IOException;
}
