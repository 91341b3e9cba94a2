/**
 * The serial connector over jSerialComm. For plain Java (module path) it exports its builder package; in an OSGi
 * framework the bundle exports nothing, so that it can be replaced while links run.
 */
module io.connback.serial {
    requires transitive io.connback.core;
    requires transitive io.connback.link;
    requires com.fazecast.jSerialComm;

    exports io.connback.serial;
}
