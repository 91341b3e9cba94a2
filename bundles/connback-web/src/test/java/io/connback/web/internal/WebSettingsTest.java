package io.connback.web.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connback.osgi.ConfigurationCheck;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WebSettingsTest {

    private static final String FILE = "file:" + System.getProperty("user.dir") + "/conf/io.connback.http.cfg";
    private static final String TOKEN = "0123456789abcdef0123";

    @Test
    void loopbackPort8181AndNoTokenByDefault() {
        WebSettings settings = WebSettings.fromMap(Map.of());
        assertThat(settings).isEqualTo(new WebSettings("127.0.0.1", 8181, Optional.empty()));
        assertThat(settings.authorizes("Bearer anything")).as("no token: nothing is authorized").isFalse();
    }

    @Test
    void everyBadKeyIsOneLineNamingTheFileAndUnknownKeysAreWarned() {
        ConfigurationCheck check = WebSettings.check(Map.of("service.pid", "io.connback.http",
                "felix.fileinstall.filename", FILE, "port", "99999", "host", "a b", "prot", "1",
                "osgi.ds.satisfying.condition.target", "(osgi.condition.id=true)"));
        assertThat(check.problems()).containsExactlyInAnyOrder(
                "conf/io.connback.http.cfg: port: invalid value '99999': expected a whole number from 1 to 65535",
                "conf/io.connback.http.cfg: host: invalid value 'a b': expected a host name or an IP address to "
                        + "listen on, e.g. 127.0.0.1 or 0.0.0.0");
        assertThat(check.warnings()).containsExactly(
                "conf/io.connback.http.cfg: prot: unknown key, ignored (did you mean port?)");
    }

    @Test
    void aShortTokenIsRefusedWithoutShowingIt() {
        ConfigurationCheck check = WebSettings.check(Map.of("service.pid", "io.connback.http",
                "felix.fileinstall.filename", FILE, "token", "secret"));
        assertThat(check.problems()).containsExactly("conf/io.connback.http.cfg: token: a value of 6 characters "
                + "(not shown): expected at least 16 characters");
        assertThatThrownBy(() -> WebSettings.fromMap(Map.of("token", "secret"))).hasMessageNotContaining("secret'");
    }

    @Test
    void onLoopbackOnlyLoopbackHostNamesAreAnswered() {
        assertThat(WebSettings.DEFAULTS.loopbackOnly()).isTrue();
        assertThat(WebSettings.fromMap(Map.of("host", "0.0.0.0")).loopbackOnly()).isFalse();
        assertThat(WebSettings.fromMap(Map.of("host", "::1")).loopbackOnly()).isTrue();
        assertThat(List.of("127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "[::1]", "::1"))
                .allMatch(WebSettings::isLoopbackName);
        assertThat(List.of("evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.1", ""))
                .noneMatch(WebSettings::isLoopbackName);
    }

    @Test
    void onlyTheBearerTokenItselfAuthorizes() {
        WebSettings settings = WebSettings.fromMap(Map.of("token", TOKEN, "port", "9000", "host", "0.0.0.0"));
        assertThat(settings.port()).isEqualTo(9000);
        assertThat(settings.authorizes("Bearer " + TOKEN)).isTrue();
        assertThat(settings.authorizes("bearer " + TOKEN)).as("the scheme in any case").isTrue();
        assertThat(settings.authorizes(null)).isFalse();
        assertThat(settings.authorizes("")).isFalse();
        assertThat(settings.authorizes("Bearer ")).isFalse();
        assertThat(settings.authorizes(TOKEN)).as("without the scheme").isFalse();
        assertThat(settings.authorizes("Basic " + TOKEN)).isFalse();
        assertThat(settings.authorizes("Bearer " + TOKEN + "x")).isFalse();
        assertThat(settings.authorizes("Bearer " + TOKEN.substring(1))).isFalse();
        assertThat(settings.toString()).doesNotContain(TOKEN);
    }
}
