package app.threefold.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Notices by HTTP POST. Plain webhooks get JSON ({@code event, condition, subject, title, text,
 * time}); the ntfy preset posts the text to a topic URL with ntfy's {@code Title}, {@code Priority}
 * and {@code Tags} headers, so a phone shows it as a notification.
 */
final class WebhookChannel implements Channel {

    /** The body's shape. */
    enum Preset {
        JSON, NTFY
    }

    /** @param token sent as {@code Authorization: Bearer}, empty for none (ntfy's access tokens, most webhook receivers) */
    record Settings(URI url, Preset preset, String token) {
        @Override
        public String toString() {
            return preset.name().toLowerCase(java.util.Locale.ROOT) + " " + url;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final String name;
    private final Settings settings;
    private final HttpClient http;

    WebhookChannel(String name, Settings settings, HttpClient http) {
        this.name = name;
        this.settings = settings;
        this.http = http;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void send(Notice notice) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.url()).timeout(TIMEOUT)
                .header("User-Agent", "Threefold");
        if (!settings.token().isEmpty()) {
            request.header("Authorization", "Bearer " + settings.token());
        }
        if (settings.preset() == Preset.NTFY) {
            // Headers carry only ASCII: ntfy's title header would mangle anything else, so it goes RFC 2047-encoded.
            request.header("Title", headerValue(notice.title()))
                    .header("Priority", switch (notice.event()) {
                        case OPENED -> "high";
                        case CLEARED, TEST -> "default";
                    })
                    .header("Tags", switch (notice.event()) {
                        case OPENED -> "warning";
                        case CLEARED -> "white_check_mark";
                        case TEST -> "bell";
                    })
                    .header("Content-Type", "text/plain; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(notice.text(), StandardCharsets.UTF_8));
        } else {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("event", notice.event().label());
            body.put("condition", notice.condition());
            body.put("subject", notice.subject());
            body.put("title", notice.title());
            body.put("text", notice.text());
            body.put("time", notice.time().toString());
            request.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("sending to webhook '" + name + "' was interrupted");
        } catch (IOException e) {
            throw new IOException("webhook '" + name + "' at " + settings.url() + " did not answer: " + e
                    + "; check the URL in Settings → Alerts", e);
        }
        if (response.statusCode() / 100 == 3) {
            throw new IOException("webhook '" + name + "' at " + settings.url() + " answered HTTP " + response.statusCode()
                    + ", a redirect to " + response.headers().firstValue("Location").orElse("elsewhere")
                    + ", which is not followed (the token would go along); put the final URL in Settings → Alerts");
        }
        if (response.statusCode() / 100 != 2) {
            String answer = response.body() == null ? "" : response.body().strip();
            throw new IOException("webhook '" + name + "' at " + settings.url() + " answered HTTP " + response.statusCode()
                    + (answer.isEmpty() ? "" : " (" + answer.substring(0, Math.min(200, answer.length())) + ")")
                    + "; check the URL and token in Settings → Alerts");
        }
    }

    private static String headerValue(String text) {
        boolean ascii = text.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
        if (ascii) {
            return text;
        }
        return "=?UTF-8?B?" + java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "?=";
    }
}
