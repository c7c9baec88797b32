package app.threefold.alert;

import app.threefold.ThreefoldException.Kind;
import app.threefold.audit.AuditLog;
import app.threefold.mirror.SecretBox;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * The catalog's {@code alert_channels}, read and written here only: where alerts go. A password or
 * token is sealed under the data directory's {@code targets.key} (as S3 secrets are) and never shown
 * again; a channel's {@link View} carries only what a person may see.
 */
public final class Channels {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() {
    };

    /** What the panel and the API show of a channel: never its password or token. */
    public record View(long id, String kind, String name, Map<String, String> settings, boolean hasSecret, boolean enabled) {
        /** One line: where notices go. */
        public String destination() {
            return switch (kind) {
                case "email" -> settings.getOrDefault("to", "") + " via " + settings.getOrDefault("host", "") + ":"
                        + settings.getOrDefault("port", "") + " (" + settings.getOrDefault("security", "") + ")";
                default -> settings.getOrDefault("url", "");
            };
        }
    }

    private final Jdbi jdbi;
    private final SecretBox secrets;
    private final AuditLog audit;
    private final Clock clock;
    private final HttpClient http;
    private final Properties mailExtra;

    public Channels(Jdbi jdbi, Path dataDir, AuditLog audit, Clock clock) {
        this(jdbi, SecretBox.open(dataDir, new SecureRandom()), audit, clock, new Properties());
    }

    /** {@code mailExtra}: JavaMail properties for every e-mail channel (tests trust their loopback server's certificate). */
    Channels(Jdbi jdbi, SecretBox secrets, AuditLog audit, Clock clock, Properties mailExtra) {
        this.jdbi = Objects.requireNonNull(jdbi);
        this.secrets = Objects.requireNonNull(secrets);
        this.audit = Objects.requireNonNull(audit);
        this.clock = Objects.requireNonNull(clock);
        this.mailExtra = mailExtra;
        // Never: a redirect would carry the bearer token to wherever it points (WebhookChannel says so instead).
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Adds an e-mail channel.
     *
     * @param security "starttls", "tls" or "none"
     * @param user     empty for a server that needs no login (then {@code password} is ignored)
     * @throws AlertException naming the field to correct
     */
    public View addEmail(String name, String host, int port, String security, String user, String password, String from,
                         String to, String actor) {
        MailChannel.Security sec = security(security);
        if (sec == MailChannel.Security.NONE && user != null && !user.isBlank()) {
            throw new AlertException(Kind.BAD_REQUEST, "Security \"none\" would send the SMTP login and password in"
                    + " clear over the network: choose starttls (port 587) or tls (port 465), or use \"none\" only with"
                    + " a server on your own network that takes mail without a login (leave user and password empty).");
        }
        require(host, "the SMTP server's host name");
        if (port < 1 || port > 65535) {
            throw new AlertException(Kind.BAD_REQUEST, "The SMTP port must be 1 to 65535 (587 for STARTTLS, 465 for TLS).");
        }
        checkAddresses(from, "From");
        checkAddresses(to, "To");
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("host", host.strip());
        settings.put("port", Integer.toString(port));
        settings.put("security", sec.name().toLowerCase(Locale.ROOT));
        settings.put("user", user == null ? "" : user.strip());
        settings.put("from", from.strip());
        settings.put("to", to.strip());
        String secret = user == null || user.isBlank() || password == null || password.isEmpty() ? null : password;
        return insert("email", name, settings, secret, actor);
    }

    /** Adds a webhook that receives JSON; {@code token} (may be empty) goes as a bearer token. */
    public View addWebhook(String name, String url, String token, String actor) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("url", url(url).toString());
        return insert("webhook", name, settings, token == null || token.isEmpty() ? null : token, actor);
    }

    /** Adds an ntfy topic ({@code https://ntfy.sh/my-threefold-topic} or a server of one's own). */
    public View addNtfy(String name, String topicUrl, String token, String actor) {
        URI url = url(topicUrl);
        if (url.getPath() == null || url.getPath().replace("/", "").isEmpty()) {
            throw new AlertException(Kind.BAD_REQUEST, "An ntfy URL names a topic: the server and the topic, e.g."
                    + " https://ntfy.sh/threefold-" + "a1b2c3 (pick a topic nobody can guess).");
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("url", url.toString());
        return insert("ntfy", name, settings, token == null || token.isEmpty() ? null : token, actor);
    }

    /** @throws AlertException (not found) if there is no such channel */
    public void remove(long id, String actor) {
        View gone = get(id);
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM alert_channels WHERE id = :id").bind("id", id).execute();
            AuditLog.append(h, clock.instant(), actor, "alert.channel.removed", Map.of("channel", gone.name(), "kind", gone.kind()));
        });
    }

    public List<View> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, kind, name, settings::text, secret IS NOT NULL, enabled"
                        + " FROM alert_channels ORDER BY name")
                .map((rs, ctx) -> new View(rs.getLong(1), rs.getString(2), rs.getString(3), parse(rs.getString(4)),
                        rs.getBoolean(5), rs.getBoolean(6)))
                .list());
    }

    /** @throws AlertException (not found) if there is no such channel */
    public View get(long id) {
        return list().stream().filter(v -> v.id() == id).findFirst()
                .orElseThrow(() -> new AlertException(Kind.NOT_FOUND, "There is no alert channel " + id + "; it was removed."));
    }

    /** The enabled channels, ready to send. */
    List<Channel> open() {
        return list().stream().filter(View::enabled).map(this::channel).toList();
    }

    /**
     * Sends a test notice through one channel, now, and says whether it arrived.
     *
     * @throws AlertException (unavailable) with the channel's own explanation when it did not
     */
    public void sendTest(long id, String actor) {
        View view = get(id);
        Notice test = new Notice(Notice.Event.TEST, "", "", "[Threefold] Test alert from " + Alerts.hostName(),
                "This is a test of the alert channel '" + view.name() + "', sent from Threefold's Settings → Alerts page"
                        + " by " + actor + ". Alerts will arrive like this one: one message when a problem starts, one when"
                        + " it is over.", clock.instant());
        try {
            channel(view).send(test);
        } catch (IOException e) {
            audit.record(actor, "alert.channel.test.failed", Map.of("channel", view.name(), "error", String.valueOf(e.getMessage())));
            throw new AlertException(Kind.UNAVAILABLE, e.getMessage(), e);
        }
        audit.record(actor, "alert.channel.tested", Map.of("channel", view.name()));
    }

    private Channel channel(View view) {
        Optional<String> secret = secret(view.id()).map(s -> secrets.open(s, "alert channel " + view.name()));
        Map<String, String> s = view.settings();
        return switch (view.kind()) {
            case "email" -> new MailChannel(view.name(), new MailChannel.Settings(s.get("host"), Integer.parseInt(s.get("port")),
                    security(s.get("security")), s.getOrDefault("user", ""), secret.orElse(""), s.get("from"), s.get("to")),
                    mailExtra);
            case "ntfy" -> new WebhookChannel(view.name(), new WebhookChannel.Settings(URI.create(s.get("url")),
                    WebhookChannel.Preset.NTFY, secret.orElse("")), http);
            default -> new WebhookChannel(view.name(), new WebhookChannel.Settings(URI.create(s.get("url")),
                    WebhookChannel.Preset.JSON, secret.orElse("")), http);
        };
    }

    private Optional<byte[]> secret(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT secret FROM alert_channels WHERE id = :id AND secret IS NOT NULL")
                .bind("id", id).mapTo(byte[].class).findOne());
    }

    private View insert(String kind, String name, Map<String, String> settings, String secret, String actor) {
        require(name, "a name for the channel");
        String json;
        try {
            json = JSON.writeValueAsString(settings);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings is always JSON", e);
        }
        long id;
        try {
            id = jdbi.inTransaction(h -> {
                long newId = h.createUpdate("""
                                INSERT INTO alert_channels (kind, name, settings, secret, created)
                                VALUES (:kind, :name, CAST(:settings AS jsonb), :secret, :created)""")
                        .bind("kind", kind).bind("name", name.strip()).bind("settings", json)
                        .bind("secret", secret == null ? null : secrets.seal(secret))
                        .bind("created", java.time.OffsetDateTime.ofInstant(clock.instant(), java.time.ZoneOffset.UTC))
                        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
                AuditLog.append(h, clock.instant(), actor, "alert.channel.added", Map.of("channel", name.strip(), "kind", kind));
                return newId;
            });
        } catch (UnableToExecuteStatementException e) {
            throw new AlertException(Kind.CONFLICT, "An alert channel named '" + name.strip() + "' exists; choose another name.", e);
        }
        return get(id);
    }

    private static Map<String, String> parse(String json) {
        try {
            return JSON.readValue(json, STRINGS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("alert_channels.settings is not the JSON this class wrote: " + json, e);
        }
    }

    private static MailChannel.Security security(String text) {
        try {
            return MailChannel.Security.valueOf(text == null ? "" : text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AlertException(Kind.BAD_REQUEST, "Security must be starttls (port 587), tls (port 465) or none, not '"
                    + text + "'.");
        }
    }

    private static URI url(String text) {
        require(text, "the URL");
        try {
            URI url = new URI(text.strip());
            if (!("https".equals(url.getScheme()) || "http".equals(url.getScheme())) || url.getHost() == null) {
                throw new AlertException(Kind.BAD_REQUEST, "'" + text + "' is not an http(s) URL; give e.g. https://ntfy.sh/my-topic.");
            }
            return url;
        } catch (URISyntaxException e) {
            throw new AlertException(Kind.BAD_REQUEST, "'" + text + "' is not a URL: " + e.getReason() + ".", e);
        }
    }

    private static void checkAddresses(String text, String field) {
        require(text, "the " + field + " address");
        try {
            jakarta.mail.internet.InternetAddress.parse(text.strip(), true);
        } catch (jakarta.mail.internet.AddressException e) {
            throw new AlertException(Kind.BAD_REQUEST, "The " + field + " address '" + text + "' is not an e-mail address: "
                    + e.getMessage() + ".", e);
        }
    }

    private static void require(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new AlertException(Kind.BAD_REQUEST, "Give " + what + ".");
        }
    }
}
