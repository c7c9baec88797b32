package app.threefold.retention;

import app.threefold.ThreefoldException;
import app.threefold.audit.AuditLog;
import app.threefold.device.ArchivedDevices;
import app.threefold.engine.Engine;
import app.threefold.repository.RepositoryException;
import app.threefold.repository.RepositoryLock;
import app.threefold.snapshot.SnapshotId;
import app.threefold.snapshot.Snapshots;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/**
 * Retention: each device's and local source's policy (and the one deleted devices share), pins and
 * labels, the preview of what a policy keeps and why, and forget, which removes the snapshot files a
 * policy lets go (restic's {@code forget}: the data they alone reached stays until a prune) and
 * their catalog rows. The repository's snapshot files are the truth a plan is made from, so a
 * snapshot restic wrote is judged as restic would judge it.
 *
 * <p>Forget never removes a device's newest snapshot nor a pinned one, and it applies the very plan
 * its preview shows: both come from {@link RetentionRules#plan}.
 */
public final class Retention {

    private final Supplier<Optional<Engine>> engine;
    private final ArchivedDevices archived;
    private final Supplier<? extends Collection<String>> liveNames;
    private final RetentionPolicies policies;
    private final SnapshotMarks marks;
    private final AuditLog audit;
    private final Clock clock;
    /** Pins and labels change, and forget removes a snapshot with its marks, one at a time (serve has one Retention). */
    private final Object marksLock = new Object();

    /**
     * @param liveNames the names of today's devices and local sources (their snapshots' hostnames);
     *                  deleted devices come from {@code archived}
     */
    public Retention(Jdbi jdbi, Supplier<Optional<Engine>> engine, ArchivedDevices archived,
                     Supplier<? extends Collection<String>> liveNames, AuditLog audit, Clock clock) {
        this.engine = Objects.requireNonNull(engine);
        this.archived = Objects.requireNonNull(archived);
        this.liveNames = Objects.requireNonNull(liveNames);
        this.policies = new RetentionPolicies(jdbi);
        this.marks = new SnapshotMarks(jdbi);
        this.audit = Objects.requireNonNull(audit);
        this.clock = Objects.requireNonNull(clock);
    }

    /** What forget did (or, in a dry run, would do): the plan, and the snapshots it removed. */
    public record Result(Plan plan, boolean dryRun, List<String> removed) {
        public Result {
            removed = List.copyOf(removed);
        }
    }

    /** The policy {@code hostname} follows: its own, else deleted devices' for a deleted device, else the default. */
    public KeepPolicy policy(String hostname) {
        if (archived.contains(hostname)) {
            return archivedPolicy();
        }
        return policies.find(hostname).orElse(KeepPolicy.DEFAULT);
    }

    /** Whether an admin set {@code hostname}'s policy (else it follows the default). */
    public boolean hasOwnPolicy(String hostname) {
        return policies.find(hostname).isPresent();
    }

    /** The policy every deleted device's snapshots follow. */
    public KeepPolicy archivedPolicy() {
        return policies.find(RetentionPolicies.ARCHIVED).orElse(KeepPolicy.ARCHIVED_DEFAULT);
    }

    public void setPolicy(String hostname, KeepPolicy policy, String actor) {
        requireKnown(hostname);
        policies.put(hostname, policy, clock.instant(), actor);
        audit.record(actor, "retention.policy", Map.of("subject", hostname, "policy", policy.describe()));
    }

    public void setArchivedPolicy(KeepPolicy policy, String actor) {
        policies.put(RetentionPolicies.ARCHIVED, policy, clock.instant(), actor);
        audit.record(actor, "retention.policy", Map.of("subject", "deleted devices", "policy", policy.describe()));
    }

    /** Back to the default policy. */
    public void resetPolicy(String hostname, String actor) {
        policies.remove(hostname);
        audit.record(actor, "retention.policy", Map.of("subject", hostname, "policy", "default"));
    }

    /** What {@code policy} (null: the hostname's own) keeps of {@code hostname}'s snapshots, and why; changes nothing. */
    public Plan preview(String hostname, KeepPolicy policy) {
        Engine e = engine();
        return plan(e, hostname, policy == null ? policy(hostname) : policy);
    }

    /**
     * Forgets what {@code policy} (null: the hostname's own) lets go of {@code hostname}'s snapshots:
     * removes their snapshot files under the repository's exclusive lock (as restic's forget does),
     * then their catalog rows. A dry run only plans.
     */
    public Result forget(String hostname, KeepPolicy policy, boolean dryRun, String actor) {
        if (dryRun) {
            Engine e = engine();
            return new Result(plan(e, hostname, policy == null ? policy(hostname) : policy), true, List.of());
        }
        return forget(hostname, policy, null, actor);
    }

    /**
     * Forgets as {@link #forget(String, KeepPolicy, boolean, String)} does, but only if the plan made
     * under the lock forgets exactly {@code previewed} (the ids the admin was shown; null: no check).
     *
     * @throws PreviewOutdatedException if it would forget others; nothing is forgotten then
     */
    public Result forget(String hostname, KeepPolicy policy, Collection<String> previewed, String actor) {
        Engine e = engine();
        KeepPolicy p = policy == null ? policy(hostname) : policy;
        List<String> removed = new ArrayList<>();
        Plan plan = null;
        try (RepositoryLock lock = RepositoryLock.acquire(e.repository(), true, clock)) {
            // Under the exclusive lock no backup writes: catalog rows and marks whose snapshot file is
            // gone (a forget killed part-way, a file removed by hand) are dropped, so this forget heals.
            heal(e, hostname);
            // Planned under the lock: a snapshot added meanwhile (it would be the newest) is judged too.
            plan = plan(e, hostname, p);
            if (previewed != null && !Set.copyOf(previewed).equals(
                    plan.forget().stream().map(Candidate::id).collect(java.util.stream.Collectors.toSet()))) {
                throw new PreviewOutdatedException(hostname);
            }
            Snapshots snapshots = e.snapshots();
            for (Candidate c : plan.forget()) {
                if (c.pinned() || c.id().equals(plan.keep().get(0).snapshot().id())) {
                    throw new IllegalStateException("plan would forget pinned or newest snapshot " + c.id());
                }
                SnapshotId id = SnapshotId.parse(c.id());
                // The pin is read again here, with pin() shut out: one made after the plan was read wins.
                synchronized (marksLock) {
                    if (marks.of(hostname).getOrDefault(c.id(), SnapshotMarks.Mark.NONE).pinned()) {
                        continue;
                    }
                    lock.ensureHeld();
                    snapshots.remove(id.id());
                    e.catalogSnapshots().remove(id);
                    marks.remove(id);
                }
                removed.add(c.id());
            }
        } catch (IOException ex) {
            throw new RepositoryException(ThreefoldException.Kind.UNAVAILABLE, "forgetting snapshots of " + hostname
                    + " failed after " + removed.size() + " of them: " + ex.getMessage()
                    + "; the rest are untouched, run forget again once the repository is reachable", ex);
        } finally {
            // Also when it fails or is stopped part-way: what went is in the audit log.
            if (!removed.isEmpty()) {
                audit.record(actor, "retention.forget", Map.of("subject", hostname, "policy", p.describe(),
                        "forgotten", removed.size(), "kept", plan == null ? 0 : plan.keep().size(),
                        "snapshots", List.copyOf(removed)));
            }
        }
        return new Result(plan, false, removed);
    }

    /** Drops {@code hostname}'s catalog rows and marks that no snapshot file backs any more. */
    private void heal(Engine e, String hostname) throws IOException {
        Set<String> files = new java.util.HashSet<>();
        for (Snapshots.Dated d : e.snapshots().listDated(hostname)) {
            files.add(d.snapshot().id().hex());
        }
        for (var row : e.catalogSnapshots().list(hostname)) {
            if (!files.contains(row.id())) {
                e.catalogSnapshots().remove(SnapshotId.parse(row.id()));
            }
        }
        synchronized (marksLock) {
            for (String id : marks.of(hostname).keySet()) {
                if (!files.contains(id)) {
                    marks.remove(SnapshotId.parse(id));
                }
            }
        }
    }

    /**
     * Forgets by every policy: each device and local source by its own, each deleted device by
     * theirs. Hostnames that are none of these (snapshots another program wrote) are left alone.
     * The weekly maintenance calls this before it prunes.
     */
    public List<Result> forgetByEveryPolicy(String actor) {
        Set<String> subjects = new TreeSet<>(liveNames.get());
        subjects.addAll(archived.names());
        Set<String> withSnapshots = new TreeSet<>();
        engine().catalogSnapshots().latestPerDevice().forEach(r -> withSnapshots.add(r.device()));
        List<Result> out = new ArrayList<>();
        for (String s : subjects) {
            if (withSnapshots.contains(s)) {
                out.add(forget(s, null, false, actor));
            }
        }
        return out;
    }

    public void pin(String hostname, SnapshotId id, boolean pinned, String actor) {
        synchronized (marksLock) {
            requireSnapshot(hostname, id);
            marks.pin(id, hostname, pinned);
        }
        audit.record(actor, pinned ? "snapshot.pin" : "snapshot.unpin", Map.of("device", hostname, "snapshot", id.hex()));
    }

    public void label(String hostname, SnapshotId id, String label, String actor) {
        String l = label == null ? "" : label.strip();
        if (l.length() > 200 || l.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidPolicyException("a label is at most 200 characters on one line");
        }
        synchronized (marksLock) {
            requireSnapshot(hostname, id);
            marks.label(id, hostname, l);
        }
        audit.record(actor, "snapshot.label", Map.of("device", hostname, "snapshot", id.hex(), "label", l));
    }

    /** The labels of a hostname's snapshots, by snapshot id in hex (those without one are absent). */
    public Map<String, String> labels(String hostname) {
        Map<String, String> out = new LinkedHashMap<>();
        marks.of(hostname).forEach((id, m) -> {
            if (!m.label().isEmpty()) {
                out.put(id, m.label());
            }
        });
        return out;
    }

    private Plan plan(Engine e, String hostname, KeepPolicy policy) {
        Map<String, SnapshotMarks.Mark> m = marks.of(hostname);
        List<Candidate> candidates = new ArrayList<>();
        try {
            for (Snapshots.Dated d : e.snapshots().listDated(hostname)) {
                String id = d.snapshot().id().hex();
                SnapshotMarks.Mark mark = m.getOrDefault(id, SnapshotMarks.Mark.NONE);
                candidates.add(new Candidate(id, d.time(), mark.pinned(), mark.label()));
            }
        } catch (IOException ex) {
            throw new RepositoryException(ThreefoldException.Kind.UNAVAILABLE, "listing the snapshots of " + hostname
                    + " failed: " + ex.getMessage() + "; check that the repository's disk is mounted", ex);
        }
        if (candidates.isEmpty() && !known(hostname)) {
            throw new UnknownSubjectException(hostname);
        }
        return RetentionRules.plan(hostname, candidates, policy, clock.instant());
    }

    private boolean known(String hostname) {
        return liveNames.get().contains(hostname) || archived.contains(hostname);
    }

    private void requireKnown(String hostname) {
        if (!known(hostname) && !engine().catalogSnapshots().any(hostname)) {
            throw new UnknownSubjectException(hostname);
        }
    }

    private void requireSnapshot(String hostname, SnapshotId id) {
        if (engine().catalogSnapshots().find(hostname, id).isEmpty()) {
            throw new RepositoryException(ThreefoldException.Kind.NOT_FOUND, "device " + hostname + " has no snapshot "
                    + id.shortHex() + "; its snapshots page lists them");
        }
    }

    private Engine engine() {
        return engine.get().orElseThrow(() -> new RepositoryException(ThreefoldException.Kind.UNAVAILABLE,
                "there is no repository yet; finish the setup wizard or run `threefold init` first"));
    }
}
