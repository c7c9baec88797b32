package app.threefold.alert;

import java.io.IOException;

/** Where notices go: an e-mail account, a webhook. Implementations send one notice per call, or throw. */
public interface Channel {

    /** The name a person gave it, for messages about the channel itself. */
    String name();

    /**
     * Sends one notice.
     *
     * @throws IOException when it did not arrive (server unreachable, login refused, an HTTP error);
     *                     the message says which and why
     */
    void send(Notice notice) throws IOException;
}
