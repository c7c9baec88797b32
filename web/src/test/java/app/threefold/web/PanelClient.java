package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A browser stand-in for panel tests: keeps its cookies, logs in, posts forms with the session's CSRF token. */
final class PanelClient {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private final HttpClient http;
    private final int port;
    private String csrf;

    /** A client with a cookie jar, like a browser. */
    PanelClient(int port) {
        this(port, HttpClient.newBuilder().cookieHandler(new CookieManager()).build());
    }

    PanelClient(int port, HttpClient http) {
        this.port = port;
        this.http = http;
    }

    /** Logs in and keeps the session's CSRF token for {@link #post}. */
    PanelClient login(String name, String password) throws Exception {
        String token = csrfOf(get("/login").body());
        HttpResponse<String> r = send("POST", "/login", form(Map.of("_csrf", token, "name", name, "password", password)),
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
        csrf = csrfOf(get("/").body());
        return this;
    }

    String csrf() {
        return csrf;
    }

    HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null, Map.of());
    }

    /** A download's bytes. */
    HttpResponse<byte[]> getBytes(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Posts a form body (which must carry the CSRF token) and reads the answer as bytes: a download. */
    HttpResponse<byte[]> postBytes(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Posts a form as the page would, with the session's CSRF token. */
    HttpResponse<String> post(String path, Map<String, String> fields) throws Exception {
        Map<String, String> withToken = new LinkedHashMap<>(fields);
        withToken.put("_csrf", csrf);
        return send("POST", path, form(withToken), Map.of("Content-Type", "application/x-www-form-urlencoded"));
    }

    HttpResponse<String> send(String method, String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static String csrfOf(String html) {
        Matcher m = CSRF.matcher(html);
        assertThat(m.find()).as("a CSRF field in " + html).isTrue();
        return m.group(1);
    }

    /** The HTTP Basic header of an account, for the API. */
    static String basic(String name, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((name + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
