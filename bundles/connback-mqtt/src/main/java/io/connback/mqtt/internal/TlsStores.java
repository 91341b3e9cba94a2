package io.connback.mqtt.internal;

import io.connback.config.ConfigValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** Reads the configured key stores into a TLS context. Errors name the key and the path, never a password. */
public final class TlsStores {

    private TlsStores() {}

    /**
     * Makes a TLS context from key stores.
     *
     * @param truststore the trusted certificates, or {@code null} for the JVM's default trust
     * @param truststorePassword its password, or {@code null}
     * @param keystore the client's key and certificate, or {@code null} for none
     * @param keystorePassword its password, which also unlocks the key, or {@code null}
     * @return an initialized context
     * @throws IllegalArgumentException naming the key and the path, if a store cannot be read
     */
    public static SSLContext context(Path truststore, char[] truststorePassword, Path keystore,
            char[] keystorePassword) {
        TrustManager[] trust = null;
        KeyManager[] keys = null;
        try {
            if (truststore != null) {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(
                        TrustManagerFactory.getDefaultAlgorithm());
                factory.init(load("tls.truststore", truststore, truststorePassword));
                trust = factory.getTrustManagers();
            }
            if (keystore != null) {
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                KeyStore store = load("tls.keystore", keystore, keystorePassword);
                try {
                    factory.init(store, keystorePassword);
                } catch (UnrecoverableKeyException e) {
                    throw new IllegalArgumentException("tls.keystorePassword: does not unlock the key in tls.keystore '"
                            + keystore + "'");
                }
                keys = factory.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS: cannot make a context from tls.truststore '" + truststore
                    + "' and tls.keystore '" + keystore + "': " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String key, Path path, char[] password) {
        if (!Files.isReadable(path)) {
            throw ConfigValues.invalid(key, path, "no readable file there");
        }
        try {
            // the JDK tells PKCS#12 from JKS by the content
            return KeyStore.getInstance(path.toFile(), password);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new IllegalArgumentException(key + "Password: does not open " + key + " '" + path + "'");
            }
            throw ConfigValues.invalid(key, path, "cannot read it as a key store: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw ConfigValues.invalid(key, path, "cannot read it as a key store: " + e.getMessage());
        }
    }
}
