package io.connback.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.CoreOptions;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * The Metatype service describes every key of every connector's factory configuration, the shared link keys and
 * Connback options included, so that a web console can render a form for a link.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MetatypeIT {

    /**
     * The Connback options (ConnbackOptions.fromMap), the link name and whether the gateway's health requires the link,
     * in every connector's configuration.
     */
    private static final List<String> CONNECTION_KEYS = List.of("name", "required", "keepalive", "connectTimeout", "strategy",
            "jitter", "initialDelay", "maxDelay", "maxNumOfAttempts", "factor", "delayFirstAttempt", "stableAfter");

    /** The keys of LinkSettings.fromMap, in the device links' configurations. */
    private static final List<String> LINK_KEYS = List.of("framing", "maxFrameSize", "maxQueuedBytes", "ping.frame",
            "pong.match");

    private static final String MQTT_PID = "io.connback.mqtt";

    @Inject
    private BundleContext context;

    @Inject
    private MetaTypeService metaTypeService;

    /**
     * The framework of this class: the gateway's, with the Metatype service and the MQTT connector.
     *
     * @return its options
     */
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return Stream.concat(Arrays.stream(Gateway.framework()), Stream.of(
                CoreOptions.mavenBundle("org.apache.felix", "org.apache.felix.metatype",
                        Gateway.property("felix.metatype.version")),
                CoreOptions.mavenBundle("org.eclipse.paho", "org.eclipse.paho.client.mqttv3",
                        Gateway.property("paho.version")),
                Gateway.connbackBundle("connback-mqtt"))).toArray(Option[]::new);
    }

    @Test
    public void theTcpLinkFormHasTheConnectorKeysTheLinkKeysAndTheConnbackOptions() {
        assertKeys("io.connback.tcp", Gateway.TCP_PID, List.of("host", "port", "tls", "tcpNoDelay", "tcpKeepAlive"),
                LINK_KEYS, CONNECTION_KEYS);
        AttributeDefinition port = attribute("io.connback.tcp", Gateway.TCP_PID, "port");
        assertEquals("a port in range is valid", "", port.validate("502"));
        assertTrue("a port out of range is not", !port.validate("65536").isEmpty());
    }

    @Test
    public void theSerialLinkFormHasTheConnectorKeysTheLinkKeysAndTheConnbackOptions() {
        assertKeys("io.connback.serial", Gateway.SERIAL_PID, List.of("port", "baudRate", "dataBits", "parity",
                "stopBits", "flowControl", "openDelay"), LINK_KEYS, CONNECTION_KEYS);
        assertEquals(List.of("none", "odd", "even", "mark", "space"),
                List.of(attribute("io.connback.serial", Gateway.SERIAL_PID, "parity").getOptionValues()));
    }

    @Test
    public void theMqttLinkFormHasTheConnectorKeysAndTheConnbackOptionsWithPasswordsMasked() {
        assertKeys("io.connback.mqtt", MQTT_PID, List.of("serverUri", "clientId", "username", "password",
                "cleanSession", "offlineQueueSize", "offlineQueuePolicy", "tls.truststore", "tls.truststorePassword",
                "tls.keystore", "tls.keystorePassword", "tls.hostnameVerification", "will.topic", "will.payload",
                "will.qos", "will.retained", "will.publishOnClose", "store", "store.dir", "store.maxBytes", "store.sync"),
                List.of(), CONNECTION_KEYS);
        for (String secret : List.of("password", "tls.truststorePassword", "tls.keystorePassword")) {
            assertEquals(secret, AttributeDefinition.PASSWORD,
                    attribute("io.connback.mqtt", MQTT_PID, secret).getType());
        }
    }

    private void assertKeys(String bundleName, String factoryPid, List<String> connectorKeys, List<String> linkKeys,
            List<String> connectionKeys) {
        Set<String> expected = new TreeSet<>(connectorKeys);
        expected.addAll(linkKeys);
        expected.addAll(connectionKeys);
        Set<String> described = Arrays.stream(definition(bundleName, factoryPid)
                .getAttributeDefinitions(ObjectClassDefinition.ALL)).map(AttributeDefinition::getID)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, described);
    }

    private AttributeDefinition attribute(String bundleName, String factoryPid, String key) {
        return Arrays.stream(definition(bundleName, factoryPid).getAttributeDefinitions(ObjectClassDefinition.ALL))
                .filter(attribute -> attribute.getID().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError(key + " is not described"));
    }

    private ObjectClassDefinition definition(String bundleName, String factoryPid) {
        Bundle bundle = Arrays.stream(context.getBundles()).filter(b -> bundleName.equals(b.getSymbolicName()))
                .findFirst().orElseThrow(() -> new AssertionError(bundleName + " is not installed"));
        var information = metaTypeService.getMetaTypeInformation(bundle);
        assertNotNull(bundleName + " has metatype", information);
        assertTrue(factoryPid + " is a factory PID of " + bundleName,
                List.of(information.getFactoryPids()).contains(factoryPid));
        return information.getObjectClassDefinition(factoryPid, null);
    }
}
