package app.threefold.alert;

import java.util.Objects;

/**
 * What one check found wrong about one subject, now.
 *
 * @param subject what it is about (a device's name, a copy's name, "disk"): with the condition, the incident's key
 * @param summary one line, the message's subject line ("laptop has not backed up for 4 days")
 * @param detail  what a person reads to act: what happened, since when, what to do
 */
public record Finding(String subject, String summary, String detail) {
    public Finding {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(detail, "detail");
    }
}
