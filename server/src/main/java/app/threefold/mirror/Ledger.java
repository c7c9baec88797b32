package app.threefold.mirror;

import app.threefold.backend.Handle;
import java.util.Map;

/**
 * What a sync knows a target holds, kept between syncs (the catalog's {@code target_objects} for
 * real targets). Only complete, verified objects are recorded, each as soon as it is, so a sync
 * cut off at any moment leaves a ledger that under-states the target, never over-states it.
 */
interface Ledger {

    /** The objects recorded for the target, with their sizes. */
    Map<Handle, Long> known();

    /** Records one object that is now complete on the target. */
    void record(Handle handle, long size);

    /** Replaces everything recorded with a full listing of the target (drift: objects deleted by hand drop out). */
    void replace(Map<Handle, Long> listing);

    /** A ledger that forgets, for one-off syncs (benchmarks, recovery). */
    static Ledger inMemory() {
        Map<Handle, Long> map = new java.util.concurrent.ConcurrentHashMap<>();
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
            }
        };
    }
}
