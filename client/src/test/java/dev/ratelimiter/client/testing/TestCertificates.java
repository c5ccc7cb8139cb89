package dev.ratelimiter.client.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate made at test time with the JDK's own {@code keytool}, run as a
 * process (no library needed): a PKCS12 key store for the server, for {@code localhost} and
 * {@code 127.0.0.1}, and a PKCS12 trust store holding only its certificate, for clients.
 *
 * @param keyStore the server's key store (key and certificate)
 * @param trustStore the clients' trust store (the certificate only)
 * @param password the password of both stores and of the key
 */
public record TestCertificates(Path keyStore, Path trustStore, String password) {
    private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

    /** Makes both stores in {@code directory}; each keytool run is bounded to a minute. */
    public static TestCertificates create(Path directory) throws IOException, InterruptedException {
        String password = "test-store-password";
        Path keyStore = directory.resolve("server.p12");
        Path certificate = directory.resolve("server.crt");
        Path trustStore = directory.resolve("trust.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "ratelimiterd",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-validity",
                "2",
                "-keystore",
                keyStore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                password,
                "-keypass",
                password);
        keytool(
                "-exportcert",
                "-alias",
                "ratelimiterd",
                "-rfc",
                "-file",
                certificate.toString(),
                "-keystore",
                keyStore.toString(),
                "-storepass",
                password);
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "ratelimiterd",
                "-file",
                certificate.toString(),
                "-keystore",
                trustStore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                password);
        return new TestCertificates(keyStore, trustStore, password);
    }

    private static void keytool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("keytool did not finish within " + KEYTOOL_TIMEOUT_SECONDS + " s: " + command);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(
                    "keytool failed with exit code " + process.exitValue() + ": " + command + "\n" + output);
        }
    }
}
