package app.threefold.overlay;

import java.time.Instant;
import java.util.List;

/**
 * One change a session made, as the journal keeps it: enough to redo the change on top of any
 * snapshot, so that a crashed session can be replayed and a session whose base moved can be
 * rebased (path-level last writer wins).
 */
record Op(String op, List<String> path, List<String> to, String spool, Integer mode, Long mtimeNanos, Long size,
          String target, Boolean replace) {

    Instant mtime() {
        return mtimeNanos == null ? null : Instant.ofEpochSecond(0, mtimeNanos);
    }

    private static Long nanos(Instant t) {
        return t == null ? null : t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    static Op put(List<String> path, String spool, int mode, Instant mtime, long size) {
        return new Op("put", path, null, spool, mode, nanos(mtime), size, null, null);
    }

    static Op mkdir(List<String> path, int mode, Instant mtime) {
        return new Op("mkdir", path, null, null, mode, nanos(mtime), null, null, null);
    }

    static Op rmdir(List<String> path) {
        return new Op("rmdir", path, null, null, null, null, null, null, null);
    }

    static Op remove(List<String> path) {
        return new Op("remove", path, null, null, null, null, null, null, null);
    }

    static Op rename(List<String> from, List<String> to, boolean replace) {
        return new Op("rename", from, to, null, null, null, null, null, replace);
    }

    static Op symlink(List<String> path, String target, Instant mtime) {
        return new Op("symlink", path, null, null, null, nanos(mtime), null, target, null);
    }

    static Op setAttributes(List<String> path, Integer mode, Instant mtime) {
        return new Op("setattr", path, null, null, mode, nanos(mtime), null, null, null);
    }
}
