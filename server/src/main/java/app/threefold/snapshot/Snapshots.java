package app.threefold.snapshot;

import app.threefold.ThreefoldException;
import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.format.FormatException;
import app.threefold.format.Id;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Reads and writes snapshot files of a repository. */
public final class Snapshots {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Repository repository;

    public Snapshots(Repository repository) {
        this.repository = repository;
    }

    public Snapshot save(Snapshot s) throws IOException {
        return s.withId(repository.saveUnpacked(FileType.SNAPSHOT, encode(s)));
    }

    /** One snapshot, read from the backend now (so damage since an earlier read shows). */
    public Snapshot load(Id id) throws IOException {
        return decode(id, repository.loadUnpacked(FileType.SNAPSHOT, id));
    }

    /**
     * All snapshots, oldest first; optionally only one device's (hostname). The backend is listed
     * each time, but a snapshot file read before is not read again (see
     * {@link Repository#loadSnapshotFile}).
     */
    public List<Snapshot> list(String hostname) throws IOException {
        List<Snapshot> out = new ArrayList<>();
        for (Id id : repository.list(FileType.SNAPSHOT)) {
            Snapshot s = decode(id, repository.loadSnapshotFile(id));
            if (hostname == null || hostname.equals(s.hostname())) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparing(Snapshot::time).thenComparing(Snapshot::id));
        return out;
    }

    /**
     * Finds a snapshot by "latest", a full id or a unique id prefix (as restic accepts),
     * optionally within one device.
     */
    public Snapshot find(String ref, String hostname) throws IOException {
        List<Snapshot> all = list(hostname);
        if (ref == null || ref.equals("latest")) {
            if (all.isEmpty()) {
                throw new RepositoryException(ThreefoldException.Kind.NOT_FOUND, "there is no snapshot" + (hostname == null ? "" : " of device " + hostname) + " yet");
            }
            return all.get(all.size() - 1);
        }
        String prefix = ref.toLowerCase(java.util.Locale.ROOT);
        List<Snapshot> matches = all.stream().filter(s -> s.id().hex().startsWith(prefix)).toList();
        if (matches.size() == 1) {
            return matches.get(0);
        }
        throw new RepositoryException(matches.isEmpty() ? ThreefoldException.Kind.NOT_FOUND : ThreefoldException.Kind.BAD_REQUEST, matches.isEmpty()
                ? "no snapshot matches \"" + ref + "\"; list them with `threefold snapshots`"
                : "\"" + ref + "\" matches " + matches.size() + " snapshots; give more digits of the id");
    }

    /** A snapshot with its time as its file records it, offset included (restic's forget counts days in that offset). */
    public record Dated(Snapshot snapshot, OffsetDateTime time) {
    }

    /** As {@link #list(String)}, each with its recorded time and offset. */
    public List<Dated> listDated(String hostname) throws IOException {
        List<Dated> out = new ArrayList<>();
        for (Id id : repository.list(FileType.SNAPSHOT)) {
            byte[] json = repository.loadSnapshotFile(id);
            Snapshot s = decode(id, json);
            if (hostname == null || hostname.equals(s.hostname())) {
                out.add(new Dated(s, recordedTime(id, json)));
            }
        }
        out.sort(Comparator.comparing((Dated d) -> d.snapshot().time()).thenComparing(d -> d.snapshot().id()));
        return out;
    }

    /**
     * Removes a snapshot file: restic no longer lists it, and the data only it reached stays until a
     * prune. Removing a snapshot that is gone already is not an error.
     */
    public void remove(Id id) throws IOException {
        repository.backend().remove(new Handle(FileType.SNAPSHOT, id.hex()));
    }

    private static OffsetDateTime recordedTime(Id id, byte[] json) {
        try {
            return OffsetDateTime.parse(JSON.readTree(json).path("time").asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (IOException | RuntimeException e) {
            throw new FormatException("snapshot " + id.shortHex() + " is malformed: " + e.getMessage(), e);
        }
    }

    public Optional<Snapshot> latest(String hostname) throws IOException {
        List<Snapshot> all = list(hostname);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    static byte[] encode(Snapshot s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("time", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(OffsetDateTime.ofInstant(s.time(), ZoneOffset.UTC)));
        if (s.parent() != null) {
            o.put("parent", s.parent().hex());
        }
        o.put("tree", s.tree().hex());
        ArrayNode paths = o.putArray("paths");
        s.paths().forEach(paths::add);
        o.put("hostname", s.hostname());
        o.put("username", s.username());
        if (!s.tags().isEmpty()) {
            ArrayNode tags = o.putArray("tags");
            s.tags().forEach(tags::add);
        }
        try {
            return JSON.writeValueAsBytes(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Snapshot decode(Id id, byte[] json) {
        try {
            JsonNode o = JSON.readTree(json);
            List<String> paths = new ArrayList<>();
            o.path("paths").forEach(p -> paths.add(p.asText()));
            List<String> tags = new ArrayList<>();
            o.path("tags").forEach(t -> tags.add(t.asText()));
            Instant time = OffsetDateTime.parse(o.path("time").asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            Id parent = o.hasNonNull("parent") ? Id.parse(o.get("parent").asText()) : null;
            return new Snapshot(id, time, parent, Id.parse(o.path("tree").asText()), paths,
                    o.path("hostname").asText(""), o.path("username").asText(""), tags);
        } catch (IOException | RuntimeException e) {
            throw new FormatException("snapshot " + id.shortHex() + " is malformed: " + e.getMessage(), e);
        }
    }
}
