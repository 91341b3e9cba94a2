/**
 * The MQTT connector's plain-Java face: {@link io.connback.mqtt.MqttConnector} and its builder. In an OSGi framework
 * this package is not exported; applications use the connector as a service and the links through
 * {@link io.connback.link.mqtt}.
 */
package io.connback.mqtt;
