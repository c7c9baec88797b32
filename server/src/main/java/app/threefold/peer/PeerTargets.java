package app.threefold.peer;

/**
 * Where a new pairing becomes a copy target (A's side): the composition root gives the mirror
 * side's peer target kind; a pairing without it only records the account.
 */
public interface PeerTargets {

    /** Makes the copy target that syncs to the pairing's folder; returns its id (what the API's {@code copy} field names). */
    long addPeer(Pairing pairing);

    /** Removes the target made for a pairing (unpair). */
    void removePeer(long targetId);
}
