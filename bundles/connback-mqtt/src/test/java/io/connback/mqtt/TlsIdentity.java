package io.connback.mqtt;

import java.nio.file.Path;

/**
 * A broker's TLS key and certificate in the two forms the test brokers read, and the client certificates it trusts.
 *
 * @param keystore a PKCS#12 store with the key pair and, as trusted entries, the client certificates (Moquette)
 * @param password the key store's password
 * @param certificate the certificate, PEM (Mosquitto)
 * @param privateKey the private key, PKCS#8 PEM (Mosquitto)
 * @param clientCertificates the trusted client certificates, PEM (Mosquitto)
 */
record TlsIdentity(Path keystore, String password, Path certificate, Path privateKey, Path clientCertificates) {}
