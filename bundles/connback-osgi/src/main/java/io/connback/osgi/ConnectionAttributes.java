package io.connback.osgi;

import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The metatype attributes every connection's configuration has: its name and the Connback options, under the keys of
 * {@link io.connback.ConnbackOptions#fromMap}. A connector bundle's {@code @ObjectClassDefinition} interface extends it
 * (or {@link LinkAttributes}), so the options are described once for every connector; bnd collects the attributes of
 * the super-interfaces into the connector's metatype.
 *
 * <p>Connector components read the raw configuration properties, which {@link ConnectorService} checks, so the values
 * are declared as strings where the option takes units or words (e.g. {@code Infinity}).
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ConsumerType
public interface ConnectionAttributes {

    /**
     * The link name.
     *
     * @return the name
     */
    @AttributeDefinition(description = "The link name; defaults to the name of the factory configuration.",
            required = false)
    String name();

    /**
     * Whether the gateway's health depends on this link.
     *
     * @return true if the link must be connected for the gateway to be healthy
     */
    @AttributeDefinition(description = "The gateway's health check fails while this link is not connected.",
            required = false, defaultValue = "false")
    boolean required();

    /**
     * Keepalive.
     *
     * @return seconds
     */
    @AttributeDefinition(description = "Seconds without traffic before a ping; 0 disables.", required = false)
    String keepalive();

    /**
     * Connect timeout.
     *
     * @return milliseconds
     */
    @AttributeDefinition(description = "Connection attempt timeout, ms.", required = false)
    String connectTimeout();

    /**
     * Backoff strategy.
     *
     * @return the strategy name
     */
    @AttributeDefinition(description = "Backoff between attempts.", required = false,
            options = {@Option(value = "exponential"), @Option(value = "fibonacci"),
                @Option(value = "decorrelated")})
    String strategy();

    /**
     * Jitter.
     *
     * @return the jitter name
     */
    @AttributeDefinition(description = "Randomization of the delays.", required = false,
            options = {@Option(value = "none"), @Option(value = "full"), @Option(value = "equal")})
    String jitter();

    /**
     * First delay.
     *
     * @return milliseconds
     */
    @AttributeDefinition(description = "First backoff delay, ms.", required = false)
    String initialDelay();

    /**
     * Longest delay.
     *
     * @return milliseconds
     */
    @AttributeDefinition(description = "Longest backoff delay, ms.", required = false)
    String maxDelay();

    /**
     * Attempts before giving up.
     *
     * @return a whole number or Infinity
     */
    @AttributeDefinition(description = "Attempts before going offline: a whole number or Infinity.",
            required = false)
    String maxNumOfAttempts();

    /**
     * Growth factor.
     *
     * @return the factor
     */
    @AttributeDefinition(description = "Growth factor of the exponential backoff.", required = false)
    String factor();

    /**
     * Whether the first attempt waits.
     *
     * @return true to wait
     */
    @AttributeDefinition(description = "Wait a backoff delay before the first attempt too.", required = false,
            defaultValue = "false")
    boolean delayFirstAttempt();

    /**
     * Time after which a connection counts as stable.
     *
     * @return milliseconds
     */
    @AttributeDefinition(description = "Connected time after which the backoff starts over, ms.",
            required = false)
    String stableAfter();
}
