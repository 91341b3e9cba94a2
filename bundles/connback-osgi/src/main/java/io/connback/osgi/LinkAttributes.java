package io.connback.osgi;

import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.service.metatype.annotations.AttributeDefinition;

/**
 * The metatype attributes of a device link's configuration ({@link io.connback.link.LinkSettings#fromMap}): framing,
 * bounds, and the keepalive's ping and pong, on top of the {@link ConnectionAttributes}.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ConsumerType
public interface LinkAttributes extends ConnectionAttributes {

    /**
     * The framing of inbound bytes.
     *
     * @return the framing
     */
    @AttributeDefinition(description = "How inbound bytes are cut into frames: none, delimiter:..., "
            + "fixed:..., length:... (see LinkSettings).", required = false, defaultValue = "none")
    String framing();

    /**
     * The largest inbound frame.
     *
     * @return bytes
     */
    @AttributeDefinition(description = "Largest inbound frame, bytes.", required = false)
    String maxFrameSize();

    /**
     * The bound of the outbound queue.
     *
     * @return bytes
     */
    @AttributeDefinition(description = "Bytes that may wait to be sent.", required = false)
    String maxQueuedBytes();

    /**
     * The keepalive probe.
     *
     * @return a byte string
     */
    @AttributeDefinition(description = "Frame sent to a silent device by the keepalive (see LinkSettings).",
            required = false)
    String ping_frame();

    /**
     * Which inbound data proves the device alive.
     *
     * @return the matcher
     */
    @AttributeDefinition(description = "Inbound data that counts as a heartbeat (see LinkSettings).",
            required = false)
    String pong_match();
}
