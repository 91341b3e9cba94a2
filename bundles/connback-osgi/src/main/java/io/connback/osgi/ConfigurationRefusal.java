package io.connback.osgi;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A link configuration that its connector refused, registered as a service by {@link ConnectorService} while it is
 * refused, with the properties {@link ConnbackProperties#NAME} and {@link ConnbackProperties#TYPE}, so that the
 * connection manager shows it in the {@link LinkStatus} of its name. The link of that name, if it runs, keeps its
 * previous configuration.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ProviderType
public interface ConfigurationRefusal {

    /**
     * Where the refused configuration comes from.
     *
     * @return the file, e.g. {@code conf/io.connback.tcp-meter1.cfg}, or the configuration's PID
     */
    String source();

    /**
     * What is wrong with it.
     *
     * @return one line per bad key, each naming the file
     */
    List<String> problems();
}
