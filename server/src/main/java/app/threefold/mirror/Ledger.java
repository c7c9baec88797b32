package app.threefold.mirror;

import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a sync knows a target holds, kept between syncs (the catalog's {@code target_objects} for
 * real targets). Only complete, verified objects are recorded, each as soon as it is, so a sync
 * cut off at any moment leaves a ledger that under-states the target, never over-states it. It
 * also remembers since when each object has been gone from the local repository, the clock a
 * removal from the target waits on.
 */
interface Ledger {

    /**
     * An object on the target that the local repository no longer holds, since when a sync has seen
     * it gone, and the earliest it may go by the delay the target had when it was marked (a later,
     * shorter delay does not bring that forward).
     */
    record Gone(long size, Instant since, Instant removeAfter) {

        /** When it is due under {@code delay}: the later of its recorded date and {@code since + delay}. */
        Instant dueOn(java.time.Duration delay) {
            Instant byDelay = since.plus(delay);
            return removeAfter != null && removeAfter.isAfter(byDelay) ? removeAfter : byDelay;
        }
    }

    /** The objects recorded for the target, with their sizes. */
    Map<Handle, Long> known();

    /** Records one object that is now complete on the target. */
    void record(Handle handle, long size);

    /**
     * Replaces everything recorded with a full listing of the target (drift: objects deleted by hand
     * drop out). When an object that stays was first seen gone is kept: a full listing must not
     * restart its delay.
     */
    void replace(Map<Handle, Long> listing);

    /**
     * Marks every recorded object that is not in {@code local} as gone since {@code now}, to be
     * removed after {@code now + delay}, unless it was marked before (its delay runs from the first
     * sighting, its date stays); an object back in {@code local} loses its mark. Config and keys are
     * never marked: they are never removed. Returns every object marked gone.
     */
    Map<Handle, Gone> markGone(Set<Handle> local, Instant now, java.time.Duration delay);

    /** Forgets an object removed from the target. */
    void forget(Handle handle);

    /** Whether an object of this type ever follows the local repository's deletions. */
    static boolean removable(Handle handle) {
        return handle.type() == FileType.SNAPSHOT || handle.type() == FileType.INDEX || handle.type() == FileType.PACK;
    }

    /** A ledger that forgets, for one-off syncs (benchmarks, recovery). */
    static Ledger inMemory() {
        Map<Handle, Long> map = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Handle, Gone> gone = new java.util.concurrent.ConcurrentHashMap<>();
        return new Ledger() {
            @Override
            public Map<Handle, Long> known() {
                return Map.copyOf(map);
            }

            @Override
            public void record(Handle handle, long size) {
                map.put(handle, size);
            }

            @Override
            public void replace(Map<Handle, Long> listing) {
                map.clear();
                map.putAll(listing);
                gone.keySet().retainAll(listing.keySet());
            }

            @Override
            public Map<Handle, Gone> markGone(Set<Handle> local, Instant now, java.time.Duration delay) {
                Map<Handle, Gone> out = new HashMap<>();
                map.forEach((handle, size) -> {
                    if (local.contains(handle) || !removable(handle)) {
                        gone.remove(handle);
                    } else {
                        Gone first = gone.computeIfAbsent(handle, h -> new Gone(size, now, now.plus(delay)));
                        out.put(handle, new Gone(size, first.since(), first.removeAfter()));
                    }
                });
                return out;
            }

            @Override
            public void forget(Handle handle) {
                map.remove(handle);
                gone.remove(handle);
            }
        };
    }
}
