/**
 * The MQTT connector over Eclipse Paho. For plain Java (module path) it exports its builder package; in an OSGi
 * framework the bundle exports nothing, so that it can be replaced while links run. Applications use the MQTT link API
 * of {@code io.connback.link}.
 */
module io.connback.mqtt {
    requires transitive io.connback.link;
    requires org.eclipse.paho.client.mqttv3;
    requires static io.connback.osgi;
    requires static osgi.core;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.service.metatype.annotations;

    exports io.connback.mqtt;
}
