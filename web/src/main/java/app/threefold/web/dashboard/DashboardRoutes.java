package app.threefold.web.dashboard;

import app.threefold.access.Person;
import app.threefold.device.Devices;
import app.threefold.device.Lateness;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.jobs.RestoreProofs;
import app.threefold.mirror.Target;
import app.threefold.mirror.Targets;
import app.threefold.proof.RestoreTestLog;
import app.threefold.sources.LocalSource;
import app.threefold.sources.LocalSources;
import app.threefold.web.page.Format;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import app.threefold.web.snapshots.SnapshotCatalog;
import app.threefold.web.snapshots.SnapshotCatalog.Summary;
import app.threefold.web.sources.SourceRoutes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** {@code GET /}: a card per device and local source with its 3-2-1 status, totals and the growth of stored bytes. */
public final class DashboardRoutes {

    /** A device counts as stale when its last backup is older than this. */
    static final Duration STALE = Duration.ofDays(3);

    /**
     * The last restore test of one copy. {@code proven}: "restore verified 3 days ago" as the kept
     * results say it; {@code level}: "good", "warn" (amber: no passing test for 35 days) or "bad"
     * (red: the latest test failed).
     */
    public record TestVerdict(String copy, String verdict, Instant finished, long jobId, String proven, String level) {

        public TestVerdict(String copy, String verdict, Instant finished, long jobId) {
            this(copy, verdict, finished, jobId, null, "passed".equals(verdict) ? "good" : "bad");
        }

        public boolean passed() {
            return "passed".equals(verdict);
        }
    }

    /**
     * A card's "Restore test:" line. {@code oob}: sent with a finished test's verdict so the card's
     * line changes with it (an HTMX out-of-band swap) instead of contradicting it until a reload.
     */
    public record CardTests(String device, List<TestVerdict> tests, boolean oob) {
    }

    /**
     * One device's card. {@code source} is set for a local source (a folder on the NAS itself): its
     * schedule and last run, shown instead of SFTP upload hints. An archived device was deleted by an
     * admin: it no longer backs up, so it is listed apart and never counts as stale. {@code offsite}
     * counts the copies that leave the house, {@code synced} says how far behind each mirror is
     * ("Backblaze synced 3 h ago"), and {@code testCopies} are the copies a restore test can read.
     */
    public record DeviceCard(String name, Summary latest, String age, boolean stale, List<String> copies,
                             int kinds, int offsite, List<String> missing, List<TestVerdict> tests,
                             SourceRoutes.Row source, boolean archived, List<Synced> synced, List<Copy> testCopies) {

        public boolean backedUp() {
            return latest != null;
        }

        public boolean local() {
            return source != null;
        }
    }

    /** How far one mirror is: "Backblaze synced 3 h ago"; {@code behind} when the latest backup came after. */
    public record Synced(String text, boolean behind) {
    }

    /** A copy a restore test can read: {@code "local"} (the NAS) or a target's id, with its name. */
    public record Copy(String id, String name) {
    }

    /** What the mirrors add to a device's 3-2-1 line. */
    private record Mirrors(List<String> copies, java.util.Set<String> kinds, int offsite, List<Synced> synced,
                           List<String> missing) {
    }

    /**
     * The dashboard's model; {@code chart} is JSON for the chart script, null until the snapshots span
     * two days: before that its axis only repeats one value ("1 B, 1 B … 0 B") and says nothing.
     */
    public record DashboardPage(Layout layout, List<DeviceCard> devices, List<DeviceCard> archived, long logicalBytes,
                                long storedBytes, long freeBytes, String chart, Map<String, Lateness> lateness) {

        /** The device's lateness when it is late (amber or red), else null: on-time cards show no extra line. */
        public Lateness late(String device) {
            Lateness l = lateness.get(device);
            return l != null && l.late() ? l : null;
        }

        public String ratio() {
            return storedBytes == 0 ? "—" : Format.ratio((double) logicalBytes / storedBytes);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SnapshotCatalog catalog;
    private final Jobs jobs;
    private final LocalSources sources;
    private final SourceRoutes sourceRows;
    private final Targets targets;
    private final Path dataDir;
    private final Clock clock;
    private final Pages pages;
    private final Devices devices;
    private final RestoreTestLog proofs;

    public DashboardRoutes(SnapshotCatalog catalog, Jobs jobs, LocalSources sources, SourceRoutes sourceRows,
                           Targets targets, Path dataDir, Clock clock, Pages pages) {
        this(catalog, jobs, sources, sourceRows, targets, dataDir, clock, pages, null, null);
    }

    /** With {@code devices} (may be null), late devices are marked amber or red and listed first. */
    public DashboardRoutes(SnapshotCatalog catalog, Jobs jobs, LocalSources sources, SourceRoutes sourceRows,
                           Targets targets, Path dataDir, Clock clock, Pages pages, Devices devices) {
        this(catalog, jobs, sources, sourceRows, targets, dataDir, clock, pages, devices, null);
    }

    /** {@code proofs}: the kept restore test results, for "restore verified N days ago" (null: verdicts only). */
    public DashboardRoutes(SnapshotCatalog catalog, Jobs jobs, LocalSources sources, SourceRoutes sourceRows,
                           Targets targets, Path dataDir, Clock clock, Pages pages, RestoreTestLog proofs) {
        this(catalog, jobs, sources, sourceRows, targets, dataDir, clock, pages, null, proofs);
    }

    /** Both: late devices first, and how long ago each copy's restore was verified. */
    public DashboardRoutes(SnapshotCatalog catalog, Jobs jobs, LocalSources sources, SourceRoutes sourceRows,
                           Targets targets, Path dataDir, Clock clock, Pages pages, Devices devices, RestoreTestLog proofs) {
        this.devices = devices;
        this.proofs = proofs;
        this.catalog = catalog;
        this.jobs = jobs;
        this.sources = sources;
        this.sourceRows = sourceRows;
        this.targets = targets;
        this.dataDir = dataDir;
        this.clock = clock;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/", this::dashboard);
    }

    private void dashboard(Context ctx) throws IOException {
        pages.render(ctx, "dashboard.jte", page(Access.viewer(ctx), Access.layout(ctx, "Dashboard", "dashboard")));
    }

    /** The latest finished restore test of each copy of {@code device}, as its card shows them. */
    public CardTests cardTests(String device) {
        return new CardTests(device, latestTests().getOrDefault(device, List.of()), true);
    }

    private Map<String, List<TestVerdict>> latestTests() {
        Map<String, String> names = targets.list().stream()
                .collect(Collectors.toMap(t -> t.id().toString(), Target::name));
        Map<String, RestoreTestLog.Standing> standings = new java.util.HashMap<>();
        if (proofs != null) {
            proofs.standings().forEach(s -> standings.put(s.device() + "\0" + s.copy(), s));
        }
        Instant now = clock.instant();
        Map<String, List<TestVerdict>> tests = new LinkedHashMap<>();
        for (Job j : jobs.latestFinished(RestoreProofs.KIND)) {
            String verdict = j.result() == null ? "error" : String.valueOf(j.result().get("verdict"));
            // A test of a mirror is named by the target's name; one of a removed target by its old id.
            String copy = RestoreProofs.LOCAL.equals(j.copy()) ? j.copy()
                    : names.getOrDefault(j.copy(), "copy " + j.copy());
            RestoreTestLog.Standing standing = standings.get(j.device() + "\0" + j.copy());
            TestVerdict v = standing == null ? new TestVerdict(copy, verdict, j.finished(), j.id())
                    : new TestVerdict(copy, verdict, j.finished(), j.id(), standing.text(now), switch (standing.level()) {
                        case GOOD -> "good";
                        case AMBER -> "warn";
                        case RED -> "bad";
                    });
            tests.computeIfAbsent(j.device(), d -> new ArrayList<>()).add(v);
        }
        return tests;
    }

    /**
     * What the mirrors add for a device whose latest snapshot is {@code latest} (null: none yet). A
     * target counts as a copy from its latest sync that succeeded: a failed or cut-off sync cannot
     * vouch for what the copy holds, but it does not undo what an earlier one made complete (a sync
     * never deletes on the target), so a failure after a success is said beside the copy instead.
     * A bucket is cloud storage and off-site; a folder is a USB disk, on-site.
     */
    private Mirrors mirrors(List<Target> all, Summary latest, Instant now) {
        List<String> copies = new ArrayList<>();
        java.util.Set<String> kinds = new java.util.LinkedHashSet<>();
        List<Synced> synced = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        int offsite = 0;
        if (latest == null) {
            return new Mirrors(copies, kinds, 0, synced, missing);
        }
        for (Target t : all) {
            Target.LastSync last = t.lastSync();
            Instant good = t.lastGoodSync();
            String kind = switch (t.kind()) {
                case S3 -> "a cloud bucket";
                case FOLDER -> "a USB disk";
                case SFTP -> t.sftp().peer() ? "a friend's NAS, off-site" : "an SFTP server";
            };
            if (good == null) {
                missing.add(t.name() + " (" + kind + ") holds no checked copy yet: "
                        + (last == null ? "it never synced" : last.state() == Target.LastSync.State.FAILED
                        ? "its last sync failed " + Format.age(last.time(), now) : "it is syncing"));
                continue;
            }
            copies.add(t.name() + " (" + kind + ")");
            kinds.add(kind);
            if (t.offSite()) {
                offsite++;
            }
            boolean behind = latest.time().isAfter(good);
            boolean failed = last != null && last.state() == Target.LastSync.State.FAILED;
            synced.add(new Synced(t.name() + " synced " + Format.age(good, now)
                    + (behind ? " (latest backup not copied yet)" : "")
                    + (failed ? "; its latest sync failed " + Format.age(last.time(), now) : ""), behind || failed));
        }
        return new Mirrors(copies, kinds, offsite, synced, missing);
    }

    private List<Copy> testCopies(List<Target> all) {
        List<Copy> copies = new ArrayList<>(List.of(new Copy(RestoreProofs.LOCAL, "NAS")));
        all.forEach(t -> copies.add(new Copy(t.id().toString(), t.name())));
        return copies;
    }

    /** The cards for the devices {@code viewer} may see (also used by the device page). */
    public List<DeviceCard> cards(Person viewer) {
        Map<String, Summary> latest = catalog.latestPerDevice().stream()
                .collect(Collectors.toMap(Summary::device, Function.identity()));
        Map<String, List<TestVerdict>> tests = latestTests();
        Instant now = clock.instant();
        Map<String, LocalSource> local = sources.list().stream()
                .collect(Collectors.toMap(LocalSource::name, Function.identity()));
        List<Target> all = targets.list();
        List<Copy> testCopies = testCopies(all);
        java.util.SortedSet<String> names = new java.util.TreeSet<>(catalog.devices());
        names.addAll(local.keySet());
        java.util.Set<String> archived = catalog.archived();
        Map<String, Lateness> lateness = lateness();
        List<DeviceCard> cards = new ArrayList<>();
        for (String device : names) {
            if (!viewer.mayAccess(device)) {
                continue;
            }
            Summary s = latest.get(device);
            Mirrors mirrors = mirrors(all, s, now);
            if (local.containsKey(device)) {
                cards.add(localCard(local.get(device), s, now, tests.getOrDefault(device, List.of()), mirrors,
                        testCopies));
                continue;
            }
            List<String> copies = new ArrayList<>(List.of("the device itself"));
            List<String> missing = new ArrayList<>();
            java.util.Set<String> kinds = new java.util.HashSet<>(List.of("the device"));
            if (s != null) {
                copies.add("the NAS");
                kinds.add("the NAS's disk");
            } else {
                missing.add("a first backup to the NAS");
            }
            if (catalog.needsLogin(device)) {
                missing.add(0, "a password or key: the device came back from a copy without them; set a password or key"
                        + " again on its edit page, and on the device");
            }
            copies.addAll(mirrors.copies());
            kinds.addAll(mirrors.kinds());
            missing.addAll(mirrors.missing());
            if (copies.size() < 3) {
                missing.add((3 - copies.size()) + " more cop" + (3 - copies.size() == 1 ? "y" : "ies")
                        + ": add a copy (a friend's Threefold, a cloud bucket or a USB disk) under Copies");
            }
            if (mirrors.offsite() == 0) {
                missing.add("an off-site copy: mirror to a friend's Threefold or a cloud bucket");
            }
            boolean gone = archived.contains(device);
            // A device with an account is stale when it is late for its own rhythm (amber or red); one
            // known only from its snapshots (a test setup without accounts) by the fixed STALE age.
            Lateness rhythm = lateness.get(device);
            boolean stale = !gone && (rhythm != null ? rhythm.late()
                    : s == null || Duration.between(s.time(), now).compareTo(STALE) > 0);
            cards.add(new DeviceCard(device, s, s == null ? "never backed up" : Format.age(s.time(), now), stale,
                    copies, kinds.size(), mirrors.offsite(), missing, tests.getOrDefault(device, List.of()), null, gone,
                    mirrors.synced(), testCopies));
        }
        return cards;
    }

    /**
     * A local source's card. Its original lives on the NAS, so the repository beside it is a second
     * copy on the same machine and disks: one kind of storage, nothing off-site, until a mirror.
     */
    private DeviceCard localCard(LocalSource source, Summary s, Instant now, List<TestVerdict> tests, Mirrors mirrors,
                                 List<Copy> testCopies) {
        List<String> copies = new ArrayList<>(List.of("the original folder on the NAS"));
        List<String> missing = new ArrayList<>();
        if (s != null) {
            copies.add("the NAS's repository (same machine)");
        } else {
            missing.add("a first snapshot: run it now or wait for its schedule");
        }
        copies.addAll(mirrors.copies());
        missing.addAll(mirrors.missing());
        if (mirrors.kinds().isEmpty()) {
            missing.add("a copy on another kind of storage: the original and the repository share this NAS, so one"
                    + " failure of its disks can take both; add a copy (a USB disk, a friend's Threefold, a cloud bucket)"
                    + " under Copies");
        }
        if (mirrors.offsite() == 0) {
            missing.add("an off-site copy: mirror to a friend's Threefold or a cloud bucket");
        }
        boolean stale = s == null || Duration.between(s.time(), now).compareTo(STALE) > 0;
        return new DeviceCard(source.name(), s, s == null ? "never backed up" : Format.age(s.time(), now), stale, copies,
                1 + mirrors.kinds().size(), mirrors.offsite(), missing, tests, sourceRows.row(source), false,
                mirrors.synced(), testCopies);
    }

    /** Each device account's punctuality by name; empty without accounts. */
    private Map<String, Lateness> lateness() {
        return devices == null ? Map.of() : devices.punctuality().stream()
                .collect(Collectors.toMap(Lateness::device, Function.identity()));
    }

    DashboardPage page(Person viewer, Layout layout) throws IOException {
        List<DeviceCard> all = cards(viewer);
        Map<String, Lateness> lateness = lateness();
        // Late devices first, the worst first; the rest keep their order by name.
        Comparator<DeviceCard> lateFirst = Comparator.comparing((DeviceCard c) -> Optional.ofNullable(lateness.get(c.name()))
                        .map(Lateness::level).orElse(Lateness.Level.ON_TIME), Comparator.reverseOrder())
                .thenComparing(c -> Optional.ofNullable(lateness.get(c.name())).filter(Lateness::late)
                        .map(Lateness::since).orElse(Duration.ZERO), Comparator.reverseOrder());
        List<DeviceCard> cards = all.stream().filter(c -> !c.archived()).sorted(lateFirst).toList();
        // Archived snapshots are still protected data, so they count in the totals.
        long logical = all.stream().filter(DeviceCard::backedUp).mapToLong(c -> c.latest().bytes()).sum();
        List<SnapshotCatalog.Point> growth = catalog.growth();
        long days = growth.stream().map(p -> LocalDate.ofInstant(p.time(), ZoneId.systemDefault())).distinct().count();
        String chart = null;
        if (days >= 2) {
            List<Map<String, Object>> points = growth.stream()
                    .map(p -> Map.<String, Object>of("t", Format.time(p.time()), "b", p.storedBytes())).toList();
            try {
                chart = JSON.writeValueAsString(points);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return new DashboardPage(layout, cards, all.stream().filter(DeviceCard::archived).toList(), logical, catalog.storedBytes(),
                Files.getFileStore(dataDir).getUsableSpace(), chart, lateness);
    }
}
