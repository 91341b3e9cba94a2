/**
 * The TCP connector's plain-Java face: {@link io.connback.tcp.TcpConnector} and its builder. In an OSGi framework this
 * package is not exported; applications use the connector as a service.
 */
package io.connback.tcp;
