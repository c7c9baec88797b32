package app.threefold.alert;

import java.time.Instant;

/** One condition on one subject, from when a check found it until one no longer did ({@code cleared} null while open). */
public record Incident(long id, String condition, String subject, String summary, String detail, Instant opened,
                       Instant cleared, boolean openedSent, boolean clearedSent) {
    public boolean open() {
        return cleared == null;
    }
}
