package io.connback.osgi;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The status of every link of the gateway, running or refused, registered as a service by the connection manager.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ProviderType
public interface LinkStatuses {

    /**
     * Every link's status, by name.
     *
     * @return the statuses, sorted by name, including the links whose configuration is refused
     */
    List<LinkStatus> all();

    /**
     * One link's status.
     *
     * @param name the link's name
     * @return its status, or empty if no link or configuration has that name
     */
    Optional<LinkStatus> status(String name);
}
