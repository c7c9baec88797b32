package app.threefold.restore;

import app.threefold.audit.AuditLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * The folders on the NAS a restore may write into ("restore folders", the NAS shares): those the
 * admin declared, plus by default the folder holding each local source (the share a source lives
 * on). A restore target must lie under one of them and never inside the appliance's data
 * directory. Every check works on real paths: the target's deepest existing ancestor is resolved
 * with its symbolic links, then the missing rest is appended, so a link inside a share cannot
 * lead a restore elsewhere.
 */
public final class RestoreFolders {

    /** Where people declare shares, for messages. */
    public static final String WHERE_TO_DECLARE = "Settings → Restore folders (or PUT /api/v1/settings/restore-folders)";

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Supplier<List<Path>> sourceFolders;
    private final Path dataDir;
    private final Clock clock;

    /**
     * @param sourceFolders the folders of the local sources, asked at every check
     * @param dataDir       the appliance's data directory, which no restore may touch
     */
    public RestoreFolders(Jdbi jdbi, AuditLog audit, Supplier<List<Path>> sourceFolders, Path dataDir, Clock clock) {
        this.jdbi = Objects.requireNonNull(jdbi);
        this.audit = Objects.requireNonNull(audit);
        this.sourceFolders = Objects.requireNonNull(sourceFolders);
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.clock = Objects.requireNonNull(clock);
    }

    /** The folders the admin declared, sorted. */
    public List<Path> declared() {
        return jdbi.withHandle(h -> h.createQuery("SELECT path FROM restore_folders ORDER BY path")
                .mapTo(String.class).list()).stream().map(Path::of).toList();
    }

    /**
     * The shares that count by default: the folder holding each local source (so a source at
     * /srv/photos makes /srv a share), or the source folder itself when it sits right under the
     * root, so a source never opens the whole system.
     */
    public List<Path> fromSources() {
        Set<Path> shares = new LinkedHashSet<>();
        for (Path source : sourceFolders.get()) {
            Path folder = source.toAbsolutePath().normalize();
            Path parent = folder.getParent();
            shares.add(parent == null || parent.getParent() == null ? folder : parent);
        }
        return List.copyOf(shares);
    }

    /** Every share a restore may go under: the declared ones, then those from local sources. */
    public List<Path> all() {
        Set<Path> all = new LinkedHashSet<>(declared());
        all.addAll(fromSources());
        return List.copyOf(all);
    }

    /**
     * Replaces the declared shares. Each must be an absolute path of an existing folder, not the
     * root and not inside the data directory; on any refusal nothing changes.
     *
     * @return the declared shares now
     * @throws InvalidRestoreFolderException naming the first folder refused and why
     */
    public List<Path> replace(List<String> folders, String actor) {
        Set<Path> checked = new LinkedHashSet<>();
        for (String folder : folders) {
            if (folder != null && !folder.isBlank()) {
                checked.add(checkShare(folder));
            }
        }
        Timestamp now = Timestamp.from(clock.instant());
        jdbi.useTransaction(h -> {
            h.execute("DELETE FROM restore_folders");
            for (Path p : checked) {
                h.createUpdate("INSERT INTO restore_folders (path, added) VALUES (:p, :t)")
                        .bind("p", p.toString()).bind("t", now).execute();
            }
        });
        audit.record(actor, "settings.restore-folders", Map.of("folders", checked.stream().map(Path::toString).toList()));
        return declared();
    }

    private Path checkShare(String folder) {
        Path path = parse(folder).orElseThrow(() -> new InvalidRestoreFolderException(
                "Give each restore folder as an absolute path of a folder on the NAS, e.g. /srv/family; "
                        + printable(folder) + " is not one."));
        if (path.getParent() == null) {
            throw new InvalidRestoreFolderException("The root folder / would let restores write anywhere on the system;"
                    + " declare the share folders themselves, e.g. /srv/family.");
        }
        if (!Files.isDirectory(path)) {
            throw new InvalidRestoreFolderException("There is no folder " + path + " on the NAS; check the path, and that"
                    + " its disk or share is mounted.");
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw new InvalidRestoreFolderException("The appliance cannot resolve " + path + " (" + e.getMessage()
                    + "); check the path and its permissions.");
        }
        Path data = realDataDir();
        if (real.startsWith(data)) {
            throw new InvalidRestoreFolderException(path + (real.equals(path) ? "" : " (really " + real + ")")
                    + " is inside the appliance's data directory " + data + ", where restores could overwrite the"
                    + " repository; choose a share outside it.");
        }
        return path;
    }

    /**
     * The real folder to restore into for {@code target}: checked to lie under a share, outside the
     * data directory, and to be empty or missing. Resolving happens here, so call it again right
     * before writing.
     *
     * @throws RestoreTargetException with a message a person can act on; nothing was written
     */
    public Path checkTarget(String target) {
        Path real = checkInside(target, true);
        String shown = real.equals(Path.of(target.strip()).normalize()) ? real.toString()
                : target.strip() + " (which resolves to " + real + ")";
        if (Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
            try (var entries = Files.list(real)) {
                if (entries.findAny().isPresent()) {
                    throw new RestoreTargetException(shown + " is not empty; choose an empty or new folder, so nothing is"
                            + " overwritten.");
                }
            } catch (IOException e) {
                throw new RestoreTargetException("The appliance cannot read " + shown + " (" + e.getMessage()
                        + "); check its permissions or choose another folder.");
            }
        } else if (Files.exists(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new RestoreTargetException(shown + " is a file; choose an empty or new folder.");
        }
        return real;
    }

    /**
     * The real path of {@code target} once checked to lie under a share and outside the data
     * directory; it may hold files or not exist yet. A folder holding the data directory is refused
     * as a target but may be browsed ({@code refuseHoldingData} false), to reach its other folders.
     *
     * @throws RestoreTargetException with a message a person can act on
     */
    private Path checkInside(String target, boolean refuseHoldingData) {
        List<Path> shares = all();
        Path path = parse(target).orElseThrow(() -> new RestoreTargetException(target != null && target.indexOf('\0') >= 0
                ? "The restore target contains a NUL character, which no folder name may hold; type the folder path again."
                : "Give the restore target as an absolute folder path on the NAS, without '.' or '..' parts"
                        + example(shares) + "."));
        Path real = realPath(path);
        String shown = real.equals(path) ? path.toString() : path + " (which resolves to " + real + ")";
        Path data = realDataDir();
        if (real.startsWith(data) || refuseHoldingData && data.startsWith(real)) {
            throw new RestoreTargetException("Refusing to restore into " + shown + ": it overlaps the appliance's data"
                    + " directory " + data + ", which holds the repository. Choose a folder on a NAS share"
                    + example(shares) + ".");
        }
        if (shares.isEmpty()) {
            throw new RestoreTargetException(shown + " is not inside a folder Threefold may restore to, and no NAS shares"
                    + " are declared yet; declare the folders restores may go to under " + WHERE_TO_DECLARE + ".");
        }
        boolean inside = false;
        for (Path share : shares) {
            Optional<Path> realShare = realExisting(share);
            if (realShare.isPresent() && real.startsWith(realShare.get())) {
                inside = true;
                break;
            }
        }
        if (!inside) {
            throw new RestoreTargetException(shown + " is not inside a folder Threefold may restore to (NAS shares: "
                    + shares.stream().map(Path::toString).collect(Collectors.joining(", ")) + "); add it under "
                    + WHERE_TO_DECLARE + ".");
        }
        return real;
    }

    /**
     * The folders right inside {@code folder} (a share or a folder under one), sorted by name, for
     * choosing a restore target: only those whose real path lies under a share and outside the data
     * directory, so a link cannot offer a way out.
     *
     * @return the real path of {@code folder} and its subfolders
     * @throws RestoreTargetException if {@code folder} is not such a folder
     */
    public Listing subfolders(String folder) {
        Path real = checkInside(folder, false);
        if (!Files.isDirectory(real)) {
            throw new RestoreTargetException("There is no folder " + real + " on the NAS; choose one of the folders listed.");
        }
        List<Path> found = new ArrayList<>();
        try (var entries = Files.list(real)) {
            for (Path child : (Iterable<Path>) entries.sorted()::iterator) {
                if (!Files.isDirectory(child)) {
                    continue;
                }
                try {
                    checkInside(child.toString(), false);
                    found.add(child);
                } catch (RestoreTargetException outside) {
                    // A link leading out of the shares is not offered; nothing to report for it.
                }
            }
        } catch (IOException e) {
            throw new RestoreTargetException("The appliance cannot read " + real + " (" + e.getMessage()
                    + "); check its permissions or choose another folder.");
        }
        Path parent = real.getParent();
        boolean upInside = parent != null && all().stream().map(RestoreFolders::realExisting)
                .anyMatch(share -> share.isPresent() && parent.startsWith(share.get()));
        return new Listing(real, upInside ? parent : null, found);
    }

    /** A folder on a share, the folder above it while that is still on a share (else null), and the folders right inside it. */
    public record Listing(Path folder, Path up, List<Path> subfolders) {
    }

    /**
     * The real path of {@code path}: its deepest existing ancestor resolved with every symbolic
     * link, then the names that do not exist yet. A dangling link is refused, as creating the
     * folder would follow it to wherever it points.
     */
    private static Path realPath(Path path) {
        Deque<Path> missing = new ArrayDeque<>();
        Path existing = path;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            missing.push(existing.getFileName());
            existing = existing.getParent();
        }
        if (existing == null) {
            // Not even the root exists: cannot happen on a working system, but say so plainly.
            throw new RestoreTargetException("Nothing of " + path + " exists on the NAS; give a folder on a NAS share.");
        }
        Path real;
        try {
            real = existing.toRealPath();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new RestoreTargetException(existing + " is a symbolic link to something that does not exist; give the"
                    + " real folder instead.");
        } catch (IOException e) {
            throw new RestoreTargetException("The appliance cannot resolve " + existing + " (" + e.getMessage()
                    + "); check the path and its permissions.");
        }
        for (Path name : missing) {
            real = real.resolve(name);
        }
        return real;
    }

    private static Optional<Path> realExisting(Path share) {
        try {
            return Optional.of(share.toRealPath());
        } catch (IOException e) {
            // An unmounted share holds nothing to restore into; the others still count.
            return Optional.empty();
        }
    }

    private Path realDataDir() {
        try {
            return Files.exists(dataDir) ? dataDir.toRealPath() : dataDir;
        } catch (IOException e) {
            return dataDir;
        }
    }

    /** An absolute path without '.' or '..' parts (whose meaning after a link differs from how they read), or empty. */
    private static Optional<Path> parse(String text) {
        if (text == null || text.isBlank() || text.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        Path path;
        try {
            path = Path.of(text.strip());
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
        if (!path.isAbsolute()) {
            return Optional.empty();
        }
        for (Path part : path) {
            if (part.toString().equals(".") || part.toString().equals("..")) {
                return Optional.empty();
            }
        }
        return Optional.of(path.normalize());
    }

    private static String example(List<Path> shares) {
        return shares.isEmpty() ? ", e.g. /srv/restore/laptop" : ", e.g. " + shares.getFirst().resolve("restore");
    }

    private static String printable(String text) {
        return text == null ? "nothing" : "\"" + text.replace("\0", "\\0") + "\"";
    }
}
