package dev.ratelimiter.client.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the {@link SSLContext} a client needs to reach a server over https whose certificate is
 * not signed by an authority the JVM already trusts (a company CA, or a self-signed certificate).
 * Stateless.
 */
public final class TrustStores {
    private TrustStores() {}

    /**
     * An SSL context that trusts exactly the certificates of {@code trustStore}.
     *
     * @param trustStore a PKCS12 or JKS file (the type is detected from its content), for example
     *     made with {@code keytool -importcert -file server.crt -keystore trust.p12 -storetype PKCS12}
     * @param password the store's password; may be empty for a PKCS12 store of certificates only
     * @throws UncheckedIOException when the file cannot be read
     * @throws IllegalArgumentException when it is not a trust store this password opens
     */
    public static SSLContext sslContext(Path trustStore, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance(trustStore.toFile(), password);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the trust store " + trustStore + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "could not use the trust store " + trustStore + ": " + e.getMessage(), e);
        }
    }
}
