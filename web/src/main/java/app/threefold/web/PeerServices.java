package app.threefold.web;

import app.threefold.peer.Guests;
import app.threefold.peer.Pairings;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * What the Friends page and {@code /api/v1/peers} need: this appliance's guests (it keeps their
 * copies), its own pairings (friends keeping its copy) and its SFTP port (-1 while SFTP is off),
 * offered as the default port of an invite.
 */
public record PeerServices(Guests guests, Pairings pairings, IntSupplier sftpPort) {

    public PeerServices {
        Objects.requireNonNull(guests);
        Objects.requireNonNull(pairings);
        Objects.requireNonNull(sftpPort);
    }
}
