/**
 * The byte-stream device link that serial and TCP connectors share, so that applications never import a connector's
 * own classes and connectors can be replaced while applications keep running.
 *
 * <p>A {@link io.connback.link.Link} sends bytes and delivers inbound frames to
 * {@link io.connback.link.FrameListener}s. How the inbound byte stream is cut into frames is a
 * {@link io.connback.link.Framing}; a {@link io.connback.link.FrameDecoder} applies it with memory bounded by a
 * maximum frame size, whatever the device sends. Heartbeats are adapted to devices: an optional ping frame that the
 * keepalive sends to a silent device, and a {@link io.connback.link.PongMatcher} that tells which inbound data proves
 * the device is alive. {@link io.connback.link.LinkSettings} reads all of this from configuration properties.
 *
 * <p>Connectors build their links on {@link io.connback.link.AbstractLink}, which holds the listeners, the decoder,
 * the heartbeat matching and a bounded outbound queue.
 */
@Export
@Version("0.1.0")
package io.connback.link;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
