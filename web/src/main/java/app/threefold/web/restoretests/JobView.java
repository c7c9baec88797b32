package app.threefold.web.restoretests;

import app.threefold.jobs.Job;
import app.threefold.web.page.Format;
import java.util.List;
import java.util.Map;

/** A job as the panel shows it: running with progress, a restore test's verdict, or a restore's outcome. */
public record JobView(Job job) {

    /** A file that failed the test. */
    public record Failure(String path, String reason) {
    }

    /** A restore into a NAS folder (not a restore test). */
    public boolean restore() {
        return "restore".equals(job.kind());
    }

    /** A local source's backup. */
    public boolean backup() {
        return "backup".equals(job.kind());
    }

    /** A mirror sync to a target (the job's device is the target's name, its copy the target's id). */
    public boolean sync() {
        return "sync".equals(job.kind());
    }

    /** A scrub of a copy (the job's copy is "local" or the target's id). */
    public boolean scrub() {
        return "scrub".equals(job.kind());
    }

    /** A finished scrub's verdict: "clean", "repaired" or "damaged". */
    public String scrubVerdict() {
        Object v = job.result() == null ? null : job.result().get("verdict");
        return v == null ? "" : v.toString();
    }

    /** A finished scrub's findings, one line each: what was repaired from where, what stays damaged and which files. */
    public List<String> scrubLines() {
        if (job.result() == null) {
            return List.of();
        }
        List<String> lines = new java.util.ArrayList<>();
        for (Map<?, ?> r : maps("repaired")) {
            lines.add("pack " + Format.shortId(String.valueOf(r.get("pack"))) + " repaired from " + r.get("from"));
        }
        for (Map<?, ?> u : maps("unrepaired")) {
            lines.add("pack " + Format.shortId(String.valueOf(u.get("pack"))) + " stays damaged: " + u.get("reason"));
        }
        for (Map<?, ?> a : maps("affected")) {
            lines.add(a.get("device") + " " + Format.name(String.valueOf(a.get("path"))) + " in snapshot "
                    + Format.shortId(String.valueOf(a.get("snapshot"))) + " cannot be restored intact");
        }
        return lines;
    }

    private List<Map<?, ?>> maps(String key) {
        Object v = job.result().get(key);
        if (!(v instanceof List<?> list)) {
            return List.of();
        }
        List<Map<?, ?>> maps = new java.util.ArrayList<>();
        for (Object m : list) {
            if (m instanceof Map<?, ?> map) {
                maps.add(map);
            }
        }
        return maps;
    }

    /** Packs a finished scrub read. */
    public long packs() {
        return number("packs");
    }

    /** What the job does, for sentences: "backup", "restore", "sync", "scrub" or "restore test". */
    public String what() {
        return backup() ? "backup" : restore() ? "restore" : sync() ? "sync" : scrub() ? "scrub" : "restore test";
    }

    /** Objects a finished sync sent. */
    public long objects() {
        return number("objects");
    }

    /** Objects the copy holds after a finished sync. */
    public long objectsOnTarget() {
        return number("objectsOnTarget");
    }

    /** Objects a finished sync removed from the copy because the NAS no longer holds them. */
    public long removed() {
        return number("removed");
    }

    /** Their bytes. */
    public long removedBytes() {
        return number("removedBytes");
    }

    /** Objects gone from the NAS that the copy still holds after a finished sync (their delay runs). */
    public long waitingRemoval() {
        return number("waitingRemoval");
    }

    /** When the first of those may be removed, as ISO-8601; null if none waits. */
    public java.time.Instant nextRemoval() {
        Object v = job.result() == null ? null : job.result().get("nextRemoval");
        return v == null ? null : java.time.Instant.parse(v.toString());
    }

    /** The snapshot a backup saved or a restore test checked; empty if none. */
    public String snapshot() {
        Object v = job.result() == null ? null : job.result().get("snapshot");
        return v == null ? "" : v.toString();
    }

    /** Entries a backup could not read, so they are missing from its snapshot. */
    public long leftOut() {
        return number("leftOut");
    }

    /** A sample of those entries, each with the reason. */
    public List<String> problems() {
        Object v = job.result() == null ? null : job.result().get("problems");
        return v instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of();
    }

    public String target() {
        Object v = job.result() == null ? null : job.result().get("target");
        return v == null ? "" : v.toString();
    }

    /**
     * How far a running job is, for people: "111 MB of 322 MB restored · 2 min left" once it counts
     * bytes or files, else its current step ("counting what to restore").
     */
    public String progressLine() {
        if (job.amount() == null) {
            return job.message();
        }
        String rate = rate();
        if (rate == null) {
            return Format.amount(job.amount());
        }
        // The rate goes before the time left: "12 MB of 40 MB sent (3 of 10 objects) · 4.2 MB/s · 1 min left".
        String line = Format.amount(job.amount());
        int left = line.lastIndexOf(" · ");
        return left < 0 ? line + " · " + rate : line.substring(0, left) + " · " + rate + line.substring(left);
    }

    /**
     * A byte-counting job's average rate, "4.2 MB/s", once it has an estimate of the time left:
     * that estimate is the bytes still to go at the average pace, so the two give the pace back.
     */
    public String rate() {
        Job.Amount a = job.amount();
        if (a == null || a.unit() != Job.Amount.Unit.BYTES || a.left() == null || a.left().toMillis() <= 0
                || a.total() <= a.done()) {
            return null;
        }
        return Format.bytes((long) ((a.total() - a.done()) * 1000.0 / a.left().toMillis())) + "/s";
    }

    /** "Restore running", "Restore test queued". */
    public String stateLine() {
        return what().substring(0, 1).toUpperCase(java.util.Locale.ROOT) + what().substring(1) + " " + job.state().label();
    }

    public boolean running() {
        return !job.done();
    }

    /** True only for a test that ran and found every file intact. */
    public boolean passed() {
        return job.result() != null && "passed".equals(job.result().get("verdict"));
    }

    /** A test that could not run at all (no snapshot, no repository). */
    public boolean error() {
        return job.state() == Job.State.FAILED;
    }

    public long files() {
        return number("files");
    }

    public long bytes() {
        return number("bytes");
    }

    /** What a backup added to the repository after dedup and compression. */
    public long addedBytes() {
        return number("bytesAdded");
    }

    public double seconds() {
        Object v = job.result() == null ? null : job.result().get("seconds");
        return v instanceof Number n ? n.doubleValue() : 0;
    }

    /** How long the job took: "2.4 s" under a minute, "3 min" or "1 h 5 min" beyond. */
    public String seconds1() {
        double s = seconds();
        return s < 60 ? String.format(java.util.Locale.ROOT, "%.1f s", s)
                : Format.duration(java.time.Duration.ofMillis((long) (s * 1000)));
    }

    @SuppressWarnings("unchecked")
    public List<Failure> failures() {
        Object v = job.result() == null ? null : job.result().get("failures");
        if (!(v instanceof List<?> list)) {
            return List.of();
        }
        return list.stream().map(o -> (Map<String, Object>) o)
                .map(m -> new Failure(String.valueOf(m.get("path")), String.valueOf(m.get("reason")))).toList();
    }

    private long number(String key) {
        Object v = job.result() == null ? null : job.result().get(key);
        return v instanceof Number n ? n.longValue() : 0;
    }
}
