/**
 * The serial connector over jSerialComm. For plain Java (module path) it exports its builder package; in an OSGi
 * framework the bundle exports nothing, so that it can be replaced while links run.
 */
module io.connback.serial {
    requires transitive io.connback.core;
    requires transitive io.connback.link;
    requires com.fazecast.jSerialComm;
    requires static io.connback.osgi;
    requires static osgi.core;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.service.metatype.annotations;
    requires static org.apache.felix.gogo.runtime;

    exports io.connback.serial;
}
