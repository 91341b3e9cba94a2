package io.connback.web.internal;

import io.connback.config.ConfigValues;
import io.connback.osgi.ConfigurationCheck;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The settings of {@code conf/io.connback.http.cfg}: where the page and the API listen, and the token that allows
 * {@code POST .../reconnect}.
 *
 * @param host the address to listen on
 * @param port the TCP port
 * @param token the token that a reconnect request must send as {@code Authorization: Bearer TOKEN}; empty: no
 *     reconnect over HTTP
 */
record WebSettings(String host, int port, Optional<String> token) {

    /** The configuration's PID: FileInstall reads {@code conf/io.connback.http.cfg} into it. */
    static final String PID = "io.connback.http";
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 8181;
    /** A token shorter than this is refused: it could be guessed. */
    static final int MIN_TOKEN_LENGTH = 16;
    static final WebSettings DEFAULTS = new WebSettings(DEFAULT_HOST, DEFAULT_PORT, Optional.empty());

    @Override
    public String toString() {
        return "WebSettings[host=" + host + ", port=" + port + ", token=" + (token.isPresent() ? "set" : "none") + "]";
    }

    /**
     * Reads the settings.
     *
     * @param configuration the configuration properties
     * @return the settings
     * @throws IllegalArgumentException at the first bad value, naming its key (the token's value is never shown)
     */
    static WebSettings fromMap(Map<String, ?> configuration) {
        ConfigValues values = ConfigValues.ofForm(configuration);
        String host = values.text("host").map(String::trim).orElse(DEFAULT_HOST);
        if (host.isEmpty() || !host.matches("[A-Za-z0-9.:\\-\\[\\]%]+")) {
            throw ConfigValues.invalid("host", values.text("host").orElse(""),
                    "expected a host name or an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0");
        }
        int port = values.wholeNumber("port", 1, 65535).orElse(DEFAULT_PORT);
        Optional<String> token = values.text("token").map(String::trim).filter(text -> !text.isEmpty());
        if (token.isPresent() && token.get().length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("token: a value of " + token.get().length()
                    + " characters (not shown): expected at least " + MIN_TOKEN_LENGTH + " characters");
        }
        return new WebSettings(host, port, token);
    }

    /**
     * Checks a whole configuration, with the same wording as a link's: one line per bad key, naming the file, and one
     * per unknown key.
     *
     * @param configuration the configuration properties
     * @return the check, run
     */
    static ConfigurationCheck check(Map<String, ?> configuration) {
        ConfigurationCheck check = ConfigurationCheck.of(configuration);
        check.run(List.of(WebSettings::fromMap));
        return check;
    }

    /**
     * Whether the page listens on a loopback address only: then it answers only requests that name a loopback host
     * ({@code Host: 127.0.0.1:8181}, {@code localhost}), so that a web site that a browser on this machine visits
     * cannot read the API through a DNS name rebound to 127.0.0.1.
     *
     * @return true for {@code 127.x.x.x}, {@code ::1} and {@code localhost}
     */
    boolean loopbackOnly() {
        return isLoopbackName(host);
    }

    /**
     * Whether a host name, as a request's {@code Host} header gives it, is a loopback one.
     *
     * @param name the name, e.g. {@code 127.0.0.1}, {@code [::1]}, {@code localhost}
     * @return true if it is
     */
    static boolean isLoopbackName(String name) {
        String bare = name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
        return bare.equalsIgnoreCase("localhost") || bare.equals("::1") || bare.matches("127(\\.\\d{1,3}){3}");
    }

    /**
     * Whether a request's {@code Authorization} header carries the token, compared in a time that tells nothing of
     * the token: both sides are hashed first, so that neither their content nor their length shows.
     *
     * @param authorization the header, or {@code null}
     * @return true if the token is set and the header is {@code Bearer TOKEN}
     */
    boolean authorizes(String authorization) {
        if (token.isEmpty()) {
            return false;
        }
        String presented = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : "";
        return MessageDigest.isEqual(sha256(presented), sha256(token.get())) && !presented.isEmpty();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
