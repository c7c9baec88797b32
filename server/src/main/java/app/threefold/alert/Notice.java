package app.threefold.alert;

import java.time.Instant;

/**
 * One message to send: an incident opened, cleared, or a test from the panel.
 *
 * @param event     what happened to the incident
 * @param condition the condition's id ("" for a test)
 * @param subject   what it is about ("" for a test)
 * @param title     one line: an e-mail's subject, ntfy's title
 * @param text      the body a person reads
 * @param time      when the incident opened or cleared
 */
public record Notice(Event event, String condition, String subject, String title, String text, Instant time) {

    /** Why a message is sent. */
    public enum Event {
        OPENED, CLEARED, TEST;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
