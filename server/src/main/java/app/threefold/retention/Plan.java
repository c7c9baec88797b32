package app.threefold.retention;

import java.util.List;

/**
 * What a policy does to one device's or source's snapshots: those it keeps, newest first, each with
 * the rules that keep it, and those it would forget, newest first.
 */
public record Plan(String hostname, KeepPolicy policy, List<Kept> keep, List<Candidate> forget) {

    public Plan {
        keep = List.copyOf(keep);
        forget = List.copyOf(forget);
    }

    /** A kept snapshot and the rules that keep it, e.g. "latest", "within 48h", "daily #3". */
    public record Kept(Candidate snapshot, List<String> reasons) {
        public Kept {
            reasons = List.copyOf(reasons);
        }
    }
}
