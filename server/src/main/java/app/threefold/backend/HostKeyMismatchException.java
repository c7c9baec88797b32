package app.threefold.backend;

import app.threefold.ThreefoldException.Kind;

/**
 * The SFTP server showed another host key than the one pinned: another machine answers at that
 * address (a re-installed NAS, a router forwarding elsewhere, an attacker on the path). Nothing
 * was sent to it, not even a password.
 */
public final class HostKeyMismatchException extends BackendException {
    public HostKeyMismatchException(String location, String pinned, String presented) {
        super(Kind.REFUSED, location + " presented host key " + presented + ", not the pinned " + pinned
                + "; nothing was sent. If the friend's NAS was re-installed, pair again; otherwise another machine"
                + " answers at that address: check the address and port");
    }
}
