/**
 * The serial connector's plain-Java face: how a port is named (a path or a USB identity) and the device table it is
 * looked up in. In an OSGi framework this package is not exported; applications use the connector as a service.
 */
package io.connback.serial;
