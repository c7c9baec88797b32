package app.threefold.alert;

import jakarta.mail.Authenticator;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Objects;
import java.util.Properties;

/** Notices by e-mail over SMTP: STARTTLS (port 587), TLS from the first byte (465) or plain (a relay on the LAN). */
final class MailChannel implements Channel {

    /** How the connection to the SMTP server is protected. */
    enum Security {
        STARTTLS, TLS, NONE
    }

    /**
     * @param user     login name, empty for a server that takes mail without one
     * @param password the login's password, empty with no login
     */
    record Settings(String host, int port, Security security, String user, String password, String from, String to) {
        Settings {
            Objects.requireNonNull(security, "security");
        }

        @Override
        public String toString() {
            return "smtp " + security.name().toLowerCase(java.util.Locale.ROOT) + "://" + user + "@" + host + ":" + port
                    + " from " + from + " to " + to;
        }
    }

    private static final int TIMEOUT_MS = 20_000;

    private final String name;
    private final Settings settings;
    private final Properties extra;

    MailChannel(String name, Settings settings) {
        this(name, settings, new Properties());
    }

    /** {@code extra}: JavaMail properties on top (tests trust the loopback server's own certificate with them). */
    MailChannel(String name, Settings settings, Properties extra) {
        this.name = name;
        this.settings = settings;
        this.extra = extra;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void send(Notice notice) throws IOException {
        String protocol = settings.security() == Security.TLS ? "smtps" : "smtp";
        Properties p = new Properties();
        String prefix = "mail." + protocol + ".";
        p.put("mail.transport.protocol", protocol);
        p.put(prefix + "host", settings.host());
        p.put(prefix + "port", Integer.toString(settings.port()));
        p.put(prefix + "connectiontimeout", Integer.toString(TIMEOUT_MS));
        p.put(prefix + "timeout", Integer.toString(TIMEOUT_MS));
        p.put(prefix + "writetimeout", Integer.toString(TIMEOUT_MS));
        boolean login = !settings.user().isEmpty();
        p.put(prefix + "auth", Boolean.toString(login));
        if (settings.security() == Security.STARTTLS) {
            // Required, not just enabled: a server (or someone between) that offers no STARTTLS must not get the password in the clear.
            p.put(prefix + "starttls.enable", "true");
            p.put(prefix + "starttls.required", "true");
        }
        if (settings.security() != Security.NONE) {
            p.put(prefix + "ssl.checkserveridentity", "true");
        }
        p.putAll(extra);
        Session session = Session.getInstance(p, login ? new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication(settings.user(), settings.password());
            }
        } : null);
        try {
            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress(settings.from(), true));
            message.setRecipients(jakarta.mail.Message.RecipientType.TO, InternetAddress.parse(settings.to(), true));
            message.setSubject(notice.title(), StandardCharsets.UTF_8.name());
            message.setText(notice.text(), StandardCharsets.UTF_8.name());
            message.setSentDate(Date.from(notice.time()));
            message.setHeader("X-Threefold-Event", notice.event().label());
            if (!notice.condition().isEmpty()) {
                message.setHeader("X-Threefold-Condition", notice.condition());
            }
            try (Transport transport = session.getTransport(protocol)) {
                transport.connect();
                transport.sendMessage(message, message.getAllRecipients());
            }
        } catch (MessagingException e) {
            throw new IOException("e-mail channel '" + name + "' could not send through " + settings.host() + ":"
                    + settings.port() + " (" + settings.security().name().toLowerCase(java.util.Locale.ROOT) + "): "
                    + describe(e) + "; check the server, port, security and login in Settings → Alerts", e);
        }
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 400; t = t.getCause()) {
            if (t.getMessage() != null) {
                if (!sb.isEmpty()) {
                    sb.append(": ");
                }
                sb.append(t.getMessage().strip());
            }
        }
        return sb.isEmpty() ? e.getClass().getSimpleName() : sb.toString();
    }
}
