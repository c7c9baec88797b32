package app.threefold.web.activity;

import app.threefold.audit.AuditEntry;
import app.threefold.web.page.Format;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The activity log in plain words: "Device laptop logged in over SFTP from 10.0.0.7" instead of
 * {@code sftp.login}. The log keeps machine-readable actions and details (filters and scripts rely on
 * them); this is only how the panel reads them out. An action it does not know stays as it is.
 */
public final class Events {

    /** One row of the activity page: the sentence, and the details the sentence did not already say. */
    public record Row(AuditEntry entry, String text, Map<String, Object> details, boolean bad) {
    }

    private static final Map<String, String> LABELS = labels();

    private Events() {
    }

    /** The activity page's row for {@code e}. */
    public static Row row(AuditEntry e) {
        Reader r = new Reader(e.detail());
        String text = sentence(e.actor(), e.action(), r);
        Map<String, Object> rest = new LinkedHashMap<>();
        e.detail().forEach((k, v) -> {
            if (!r.used.contains(k) && !empty(v)) {
                rest.put(k, v);
            }
        });
        boolean bad = e.action().endsWith("failed") || e.action().endsWith("blocked") || e.action().endsWith("refused")
                || e.action().endsWith("incomplete");
        return new Row(e, text, rest, bad);
    }

    /** What the filter menu calls a kind of event: "SFTP logins" for {@code sftp.login}. */
    public static String label(String action) {
        return LABELS.getOrDefault(action, action);
    }

    private static String sentence(String actor, String action, Reader d) {
        return switch (action) {
            case "sftp.login" -> "Device " + actor + " logged in over SFTP" + d.opt(" from ", "address");
            case "sftp.login-refused" -> "Device " + actor + " was refused over SFTP" + d.opt(" from ", "address")
                    + d.opt(": ", "reason");
            case "sftp.login-blocked" -> "SFTP logins of " + actor + d.opt(" from ", "address")
                    + " blocked after too many wrong passwords";
            case "sftp.snapshot" -> "Snapshot " + d.snapshot("snapshot") + " saved: "
                    + Format.plural(d.number("files"), "file") + ", " + Format.bytes(d.number("bytesAdded")) + " added";
            case "device.added", "device.created" -> "Added device " + d.text("device");
            case "device.deleted" -> "Deleted device " + d.text("device") + " (its snapshots stay)";
            case "device.changed" -> "Changed device " + d.text("device");
            case "device.password-set" -> "Set a new SFTP password for device " + d.text("device");
            case "device.password-cleared" -> "Removed the SFTP password of device " + d.text("device");
            case "device.enabled" -> "Enabled device " + d.text("device");
            case "device.disabled" -> "Disabled device " + d.text("device") + ": it can no longer log in";
            case "device.key-added" -> "Added an SSH key to device " + d.text("device");
            case "device.setup-script" -> "Made a " + d.text("os") + " setup script for device " + d.text("device")
                    + " with a new key " + d.text("key");
            case "device.key-removed" -> "Removed an SSH key from device " + d.text("device");
            case "device.quota-set" -> "Changed the quota of device " + d.text("device");
            case "login.ok" -> "Logged in to the panel" + d.opt(" from ", "address");
            case "login.failed" -> "Failed to log in to the panel" + d.opt(" from ", "address");
            case "login.api-failed" -> "Failed to log in to the API" + d.opt(" from ", "address") + d.opt(" with ", "method");
            case "login.api-blocked" -> "API logins blocked" + d.opt(" from ", "address") + " after too many failures";
            case "sftp.login-failed" -> "Device " + actor + " failed to log in over SFTP" + d.opt(" from ", "address")
                    + d.opt(": ", "reason");
            case "sftp.session.failed" -> "An SFTP session of " + actor + " could not be saved as a snapshot"
                    + d.opt(": ", "error") + "; its uploads are kept and saved at the next start";
            case "sftp.session.quarantined" -> "An SFTP session of " + actor + " could not be replayed and was set aside in "
                    + d.text("folder") + d.opt(": ", "error");
            case "download.preview" -> "Previewed " + d.text("path") + " of " + d.text("device") + " (snapshot "
                    + d.snapshot("snapshot") + ")";
            case "login.blocked" -> "Panel logins blocked" + d.opt(" from ", "address") + " after too many failures";
            case "logout" -> "Logged out of the panel";
            case "setup" -> "Set up the appliance with " + ("existing".equals(d.text("repository"))
                    ? "the repository already in its data folder" : "a new repository");
            case "setup.recovery-kit-confirmed" -> "Confirmed that the recovery kit is kept safe";
            case "restore-test.started" -> "Started a restore test of " + d.text("device") + d.copy();
            case "restore-test.passed" -> "Restore test of " + d.text("device") + d.copy() + " passed: "
                    + Format.plural(d.number("files"), "file") + " restored and checked" + d.ignore("failures");
            case "restore-test.failed" -> "Restore test of " + d.text("device") + d.copy() + " failed: "
                    + Format.plural(d.number("failures"), "file") + " of " + Format.count(d.number("files"))
                    + " did not come back intact";
            case "restore.started" -> "Started restoring " + d.path() + " of " + d.text("device") + " into "
                    + d.text("target");
            case "restore.finished" -> "Restored " + Format.plural(d.number("files"), "file") + " of "
                    + d.text("device") + d.ignore("path") + " into " + d.text("target");
            case "restore.failed" -> "Restoring " + d.text("device") + " into " + d.text("target") + " failed"
                    + d.opt(": ", "error");
            case "download.file" -> "Downloaded " + d.text("path") + " of " + d.text("device") + " (snapshot "
                    + d.snapshot("snapshot") + ")";
            case "download.zip" -> "Downloaded " + d.path() + " of " + d.text("device") + " as a zip (snapshot "
                    + d.snapshot("snapshot") + ")";
            case "source.added" -> "Added local source " + d.text("source") + d.opt(" (", "path") + (d.has("path") ? ")" : "");
            case "source.changed" -> "Changed local source " + d.text("source");
            case "source.removed" -> "Removed local source " + d.text("source") + " (its snapshots stay)";
            case "source.backup.started" -> "Started a backup of " + d.text("source");
            case "source.backup.succeeded" -> "Backed up " + d.text("source") + ": snapshot " + d.snapshot("snapshot")
                    + ", " + Format.plural(d.number("files"), "file") + d.ignore("leftOut");
            case "source.backup.incomplete" -> "Backed up " + d.text("source") + " incompletely: snapshot "
                    + d.snapshot("snapshot") + ", " + Format.plural(d.number("files"), "file") + ", "
                    + Format.plural(d.number("leftOut"), "entry", "entries") + " could not be read";
            case "source.backup.failed" -> "The backup of " + d.text("source") + " failed" + d.opt(": ", "error");
            case "settings.restore-folders" -> "Changed the folders restores may write to";
            case "member.added" -> "Added household member " + d.text("member");
            case "person.changed" -> "Changed the role and devices of " + d.text("person");
            case "person.password-reset" -> "Reset the panel password of " + d.text("person");
            case "person.removed" -> "Removed " + d.text("person") + " from the panel";
            default -> action;
        };
    }

    private static boolean empty(Object v) {
        return v == null || v instanceof Collection<?> c && c.isEmpty() || v instanceof Map<?, ?> m && m.isEmpty()
                || v instanceof String s && s.isEmpty();
    }

    /** Reads an entry's details and remembers which ones the sentence used. */
    private static final class Reader {
        private final Map<String, Object> detail;
        private final Set<String> used = new HashSet<>();

        Reader(Map<String, Object> detail) {
            this.detail = detail;
        }

        boolean has(String key) {
            return !empty(detail.get(key));
        }

        String text(String key) {
            used.add(key);
            Object v = detail.get(key);
            return v == null ? "?" : Format.name(String.valueOf(v));
        }

        /** {@code prefix} and the value, or nothing if the entry lacks it. */
        String opt(String prefix, String key) {
            return has(key) ? prefix + text(key) : "";
        }

        long number(String key) {
            used.add(key);
            return detail.get(key) instanceof Number n ? n.longValue() : 0;
        }

        String snapshot(String key) {
            used.add(key);
            return Format.shortId(String.valueOf(detail.get(key)));
        }

        /** "the whole snapshot" for the root, else the path. */
        String path() {
            String p = text("path");
            return p.isEmpty() || p.equals("/") ? "everything" : p;
        }

        /** " from the NAS" for the local copy, " from COPY" otherwise. */
        String copy() {
            String c = text("copy");
            return "local".equals(c) ? " from the NAS" : " from " + c;
        }

        /** Marks a detail as said (or not worth saying) without putting it in the sentence. */
        String ignore(String key) {
            used.add(key);
            return "";
        }
    }

    private static Map<String, String> labels() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("sftp.login", "SFTP logins");
        m.put("sftp.login-refused", "SFTP logins refused");
        m.put("sftp.login-blocked", "SFTP logins blocked");
        m.put("sftp.snapshot", "Snapshots saved over SFTP");
        m.put("device.added", "Devices added");
        m.put("device.created", "Devices added (older entries)");
        m.put("device.deleted", "Devices deleted");
        m.put("device.changed", "Devices changed (API)");
        m.put("device.setup-script", "Setup scripts made");
        m.put("device.password-set", "Device passwords set");
        m.put("device.password-cleared", "Device passwords removed");
        m.put("device.enabled", "Devices enabled");
        m.put("device.disabled", "Devices disabled");
        m.put("device.key-added", "Device keys added");
        m.put("device.key-removed", "Device keys removed");
        m.put("device.quota-set", "Device quotas changed");
        m.put("login.ok", "Panel logins");
        m.put("login.failed", "Panel logins failed");
        m.put("login.blocked", "Panel logins blocked");
        m.put("login.api-failed", "API logins failed");
        m.put("login.api-blocked", "API logins blocked");
        m.put("sftp.login-failed", "SFTP logins failed");
        m.put("sftp.session.failed", "SFTP sessions that failed");
        m.put("sftp.session.quarantined", "SFTP sessions set aside");
        m.put("download.preview", "Previews");
        m.put("logout", "Panel logouts");
        m.put("setup", "Setup");
        m.put("setup.recovery-kit-confirmed", "Recovery kit confirmed");
        m.put("restore-test.started", "Restore tests started");
        m.put("restore-test.passed", "Restore tests passed");
        m.put("restore-test.failed", "Restore tests failed");
        m.put("restore.started", "Restores started");
        m.put("restore.finished", "Restores finished");
        m.put("restore.failed", "Restores failed");
        m.put("download.file", "File downloads");
        m.put("download.zip", "Zip downloads");
        m.put("source.added", "Local sources added");
        m.put("source.changed", "Local sources changed");
        m.put("source.removed", "Local sources removed");
        m.put("source.backup.started", "Local backups started");
        m.put("source.backup.succeeded", "Local backups succeeded");
        m.put("source.backup.incomplete", "Local backups incomplete");
        m.put("source.backup.failed", "Local backups failed");
        m.put("settings.restore-folders", "Restore folders changed");
        m.put("member.added", "Members added");
        m.put("person.changed", "People changed");
        m.put("person.password-reset", "Panel passwords reset");
        m.put("person.removed", "People removed");
        return Map.copyOf(m);
    }
}
