package app.threefold.web.targets;

import app.threefold.mirror.BucketSettings;
import app.threefold.jobs.Job;
import app.threefold.mirror.InvalidTargetException;
import app.threefold.mirror.ServerSettings;
import app.threefold.mirror.Target;
import app.threefold.mirror.TargetId;
import app.threefold.mirror.Targets;
import app.threefold.sources.Schedule;
import app.threefold.web.api.ApiAuthentication;
import app.threefold.web.api.JsonBodies;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The targets slice of the API: {@code GET/POST /api/v1/targets}, {@code GET/PATCH/DELETE
 * /api/v1/targets/{id}}, {@code POST /api/v1/targets/{id}/test} and {@code POST
 * /api/v1/targets/{id}/sync} → {@code {job}}. A secret key goes in and never comes out: answers
 * carry it masked ({@code ****abcd}).
 */
public final class TargetApiRoutes {

    private static final List<String> S3_FIELDS = List.of("endpoint", "region", "bucket", "prefix", "accessKey",
            "secretKey", "pathStyle", "checksums");
    private static final List<String> SFTP_FIELDS = List.of("host", "port", "user", "hostKey", "keyFile", "password");
    private static final List<String> COMMON_FIELDS = List.of("name", "schedule", "enabled", "bandwidthLimit");
    private static final String DELAY = "deleteDelayDays";
    /** What the API says beside a delay of zero: it is allowed, but nothing then stands between a mistake and the copy. */
    static final String NO_DELAY_WARNING = "This copy has no delay: whatever is forgotten or pruned on the NAS is removed"
            + " from it at the next sync, so a mistaken forget or a compromised appliance leaves nothing to go back to.";
    private static final String POST_SHAPE = "Send {\"type\": \"s3\", \"name\": …, \"endpoint\": \"https://…\","
            + " \"region\": …, \"bucket\": …, \"prefix\": …, \"accessKey\": …, \"secretKey\": …, \"pathStyle\": true}"
            + " or {\"type\": \"folder\", \"name\": …, \"path\": \"/media/usb/threefold\"}"
            + " or {\"type\": \"sftp\", \"name\": …, \"host\": …, \"port\": 22, \"user\": …, \"hostKey\": \"SHA256:…\","
            + " \"keyFile\": \"/…/id_ed25519\" or \"password\": …, \"path\": \"folder on the server\"}; optional: \"schedule\":"
            + " {\"daily\": \"02:30\"} or {\"everyHours\": 6}, \"bandwidthLimit\" in bytes per second (0 for none),"
            + " \"deleteDelayDays\" (how long the copy keeps what the NAS's repository no longer holds; 30 by default).";
    private static final String PATCH_SHAPE = "Send a JSON object with any of name, schedule ({\"daily\": \"02:30\"} or"
            + " {\"everyHours\": 6}), enabled, bandwidthLimit (bytes per second, 0 for none), deleteDelayDays (null: never removes) and, for an S3 target,"
            + " endpoint, region, bucket, prefix, accessKey, secretKey, pathStyle, checksums, for a folder, path, or for"
            + " an SFTP server, host, port, user, hostKey, keyFile, password, path.";

    private final Targets targets;

    public TargetApiRoutes(Targets targets) {
        this.targets = targets;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/api/v1/targets", ctx -> ctx.json(targets.list().stream().map(this::view).toList()));
        routes.post("/api/v1/targets", this::create);
        routes.get("/api/v1/targets/{id}", ctx -> ctx.json(view(targets.get(id(ctx)))));
        routes.patch("/api/v1/targets/{id}", this::change);
        routes.delete("/api/v1/targets/{id}", ctx -> {
            targets.remove(id(ctx), ApiAuthentication.admin(ctx).name());
            ctx.status(HttpStatus.NO_CONTENT);
        });
        routes.post("/api/v1/targets/{id}/test", this::test);
        routes.post("/api/v1/targets/{id}/sync", ctx -> {
            Job job = targets.sync(id(ctx), false, ApiAuthentication.admin(ctx).name());
            ctx.status(HttpStatus.ACCEPTED).header("Location", "/api/v1/jobs/" + job.id()).json(Map.of("job", job.id()));
        });
    }

    private static TargetId id(Context ctx) {
        return TargetId.parse(ctx.pathParam("id"));
    }

    private void create(Context ctx) {
        List<String> fields = new java.util.ArrayList<>(List.of("type", "path", DELAY));
        fields.addAll(COMMON_FIELDS);
        fields.addAll(S3_FIELDS);
        fields.addAll(SFTP_FIELDS);
        JsonNode body = JsonBodies.object(ctx, fields, POST_SHAPE);
        String type = text(body, "type", POST_SHAPE);
        String actor = ApiAuthentication.admin(ctx).name();
        String name = text(body, "name", POST_SHAPE);
        Schedule schedule = body.has("schedule") ? schedule(body.get("schedule")) : Target.NIGHTLY;
        long limit = body.has("bandwidthLimit") ? limit(body.get("bandwidthLimit")) : 0;
        Duration delay = body.has(DELAY) ? delay(body.get(DELAY)) : null;
        Target added;
        if ("s3".equals(type)) {
            refuse(body, List.of("path"), "an S3 target");
            refuse(body, SFTP_FIELDS, "an S3 target");
            BucketSettings s3 = new BucketSettings(text(body, "endpoint", POST_SHAPE), text(body, "region", POST_SHAPE),
                    text(body, "bucket", POST_SHAPE), body.has("prefix") ? text(body, "prefix", POST_SHAPE) : "",
                    text(body, "accessKey", POST_SHAPE), text(body, "secretKey", POST_SHAPE),
                    body.has("pathStyle") ? bool(body, "pathStyle", POST_SHAPE) : null,
                    body.has("checksums") ? text(body, "checksums", POST_SHAPE) : null);
            added = targets.addS3(name, s3, schedule, limit, actor);
        } else if ("folder".equals(type)) {
            refuse(body, S3_FIELDS, "a folder target");
            refuse(body, SFTP_FIELDS, "a folder target");
            added = targets.addFolder(name, TargetInput.folder(text(body, "path", POST_SHAPE)), schedule, limit, actor);
        } else if ("sftp".equals(type)) {
            refuse(body, S3_FIELDS, "an SFTP target");
            added = targets.addSftp(name, new ServerSettings(text(body, "host", POST_SHAPE), port(body, POST_SHAPE),
                    text(body, "user", POST_SHAPE), optional(body, "path", POST_SHAPE), text(body, "hostKey", POST_SHAPE),
                    optional(body, "keyFile", POST_SHAPE), optional(body, "password", POST_SHAPE)), schedule, limit, actor);
        } else {
            throw new BadRequestResponse("type is \"s3\", \"folder\" or \"sftp\" (a paired Threefold is added with an invitation"
                    + " code), not " + body.path("type") + ". " + POST_SHAPE);
        }
        if (delay != null) {
            added = targets.changeDeleteDelay(added.id(), delay, actor);
        }
        ctx.status(HttpStatus.CREATED).header("Location", "/api/v1/targets/" + added.id()).json(view(added));
    }

    /** {@code PATCH}: only the fields present change; every field is checked before anything changes. */
    private void change(Context ctx) {
        List<String> fields = new java.util.ArrayList<>(List.of("path", DELAY));
        fields.addAll(COMMON_FIELDS);
        fields.addAll(S3_FIELDS);
        fields.addAll(SFTP_FIELDS);
        JsonNode body = JsonBodies.object(ctx, fields, PATCH_SHAPE);
        Target t = targets.get(id(ctx));
        String actor = ApiAuthentication.admin(ctx).name();
        String name = body.has("name") ? text(body, "name", PATCH_SHAPE) : t.name();
        Schedule schedule = body.has("schedule") ? schedule(body.get("schedule")) : t.schedule();
        boolean enabled = body.has("enabled") ? bool(body, "enabled", PATCH_SHAPE) : t.enabled();
        long limit = body.has("bandwidthLimit") ? limit(body.get("bandwidthLimit")) : t.bandwidthLimit();
        Duration delay = body.has(DELAY) && !body.get(DELAY).isNull() ? delay(body.get(DELAY)) : null;
        BucketSettings s3 = null;
        String secret = null;
        Path folder = null;
        ServerSettings server = null;
        if (t.kind() == Target.Kind.SFTP) {
            refuse(body, S3_FIELDS, "an SFTP target");
            Target.SftpLocation now = t.sftp();
            if (body.has("path") || SFTP_FIELDS.stream().anyMatch(body::has)) {
                server = new ServerSettings(body.has("host") ? text(body, "host", PATCH_SHAPE) : now.host(),
                        body.has("port") ? port(body, PATCH_SHAPE) : String.valueOf(now.port()),
                        body.has("user") ? text(body, "user", PATCH_SHAPE) : now.user(),
                        body.has("path") ? text(body, "path", PATCH_SHAPE) : now.path(),
                        body.has("hostKey") ? text(body, "hostKey", PATCH_SHAPE) : now.hostKey(),
                        body.has("keyFile") ? optional(body, "keyFile", PATCH_SHAPE)
                                : now.keyFile() == null ? null : now.keyFile().toString(),
                        optional(body, "password", PATCH_SHAPE));
            }
        } else if (t.kind() == Target.Kind.S3) {
            refuse(body, List.of("path"), "an S3 target");
            refuse(body, SFTP_FIELDS, "an S3 target");
            Target.S3Location now = t.s3();
            secret = body.has("secretKey") ? text(body, "secretKey", PATCH_SHAPE) : null;
            if (S3_FIELDS.stream().anyMatch(body::has)) {
                s3 = new BucketSettings(body.has("endpoint") ? text(body, "endpoint", PATCH_SHAPE) : now.endpoint().toString(),
                        body.has("region") ? text(body, "region", PATCH_SHAPE) : now.region(),
                        body.has("bucket") ? text(body, "bucket", PATCH_SHAPE) : now.bucket(),
                        body.has("prefix") ? text(body, "prefix", PATCH_SHAPE) : now.prefix(),
                        body.has("accessKey") ? text(body, "accessKey", PATCH_SHAPE) : now.accessKey(),
                        secret,
                        body.has("pathStyle") ? bool(body, "pathStyle", PATCH_SHAPE) : now.pathStyle(),
                        body.has("checksums") ? text(body, "checksums", PATCH_SHAPE) : now.checksumMode()).check();
            }
        } else {
            refuse(body, S3_FIELDS, "a folder target");
            refuse(body, SFTP_FIELDS, "a folder target");
            if (body.has("path")) {
                folder = TargetInput.folder(text(body, "path", PATCH_SHAPE));
            }
        }
        if (COMMON_FIELDS.stream().anyMatch(body::has)) {
            targets.change(t.id(), name, schedule, enabled, limit, actor);
        }
        if (s3 != null) {
            targets.changeS3(t.id(), s3, actor);
        }
        if (folder != null) {
            targets.changeFolder(t.id(), folder, actor);
        }
        // null in the body: the copy never removes (what targets older than deletions on copies do).
        if (body.has(DELAY) && !java.util.Objects.equals(delay, t.deleteDelay())) {
            targets.changeDeleteDelay(t.id(), delay, actor);
        }
        if (server != null) {
            targets.changeSftp(t.id(), server, actor);
        }
        ctx.json(view(targets.get(t.id())));
    }

    /** Whether the target can be reached and written; a failure is an answer here, not an error of the request. */
    private void test(Context ctx) {
        Target t = targets.get(id(ctx));
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            Targets.ConnectionCheck check = targets.testConnection(t.id());
            out.put("ok", true);
            out.put("location", check.location());
            out.put("holdsCopy", check.holdsCopy());
            out.put("objects", check.objects());
        } catch (IOException | app.threefold.mirror.TargetException e) {
            out.put("ok", false);
            out.put("location", t.location());
            out.put("error", e.getMessage());
        }
        ctx.json(out);
    }

    Map<String, Object> view(Target t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id().value());
        m.put("name", t.name());
        m.put("type", t.kind().label());
        m.put("location", t.location());
        m.put("offSite", t.offSite());
        if (t.s3() != null) {
            Target.S3Location s3 = t.s3();
            m.put("endpoint", s3.endpoint().toString());
            m.put("region", s3.region());
            m.put("bucket", s3.bucket());
            m.put("prefix", s3.prefix());
            m.put("accessKey", s3.accessKey());
            m.put("secretKey", s3.maskedSecret());
            m.put("pathStyle", s3.pathStyle());
            m.put("checksums", s3.checksumMode());
        } else if (t.sftp() != null) {
            Target.SftpLocation sftp = t.sftp();
            m.put("host", sftp.host());
            m.put("port", sftp.port());
            m.put("user", sftp.user());
            m.put("path", sftp.path());
            m.put("hostKey", sftp.hostKey());
            m.put("keyFile", sftp.keyFile() == null ? null : sftp.keyFile().toString());
            m.put("password", sftp.hasPassword() ? "****" : null);
            m.put("peer", sftp.peer());
        } else {
            m.put("path", t.folder().toString());
        }
        m.put("schedule", switch (t.schedule()) {
            case Schedule.Daily d -> Map.of("daily", d.at().format(DateTimeFormatter.ofPattern("HH:mm")));
            case Schedule.EveryHours e -> Map.of("everyHours", e.hours());
        });
        m.put("enabled", t.enabled());
        m.put("bandwidthLimit", t.bandwidthLimit());
        m.put("created", t.created().toString());
        Target.LastSync last = t.lastSync();
        if (last == null) {
            m.put("lastSync", null);
        } else {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("time", last.time().toString());
            s.put("state", last.state().label());
            s.put("objects", last.objects());
            s.put("bytes", last.bytes());
            s.put("error", last.error());
            s.put("removed", last.removed());
            s.put("removedBytes", last.removedBytes());
            s.put("kept", last.keptNote());
            m.put("lastSync", s);
        }
        m.put(DELAY, t.deleteDelay() == null ? null : t.deleteDelay().toDays());
        if (t.deleteDelay() != null && t.deleteDelay().isZero()) {
            m.put("deleteDelayWarning", NO_DELAY_WARNING);
        }
        Target.Waiting waiting = t.waiting();
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("objects", waiting.objects());
        w.put("bytes", waiting.bytes());
        w.put("firstOn", waiting.firstOn() == null ? null : waiting.firstOn().toString());
        m.put("waitingRemoval", w);
        m.put("syncJob", targets.activeJob(t.id()).orElse(null));
        return m;
    }

    private static Schedule schedule(JsonNode node) {
        String shape = "schedule is {\"daily\": \"HH:MM\"} or {\"everyHours\": N}.";
        if (node == null || !node.isObject() || node.size() != 1) {
            throw new BadRequestResponse(shape);
        }
        if (node.has("daily") && node.get("daily").isTextual()) {
            try {
                return new Schedule.Daily(LocalTime.parse(node.get("daily").asText().strip()));
            } catch (DateTimeParseException e) {
                throw new InvalidTargetException("Give the daily time as HH:MM on a 24-hour clock, e.g. 02:30; '"
                        + node.get("daily").asText() + "' is not one.");
            }
        }
        if (node.has("everyHours") && node.get("everyHours").canConvertToInt() && node.get("everyHours").isIntegralNumber()) {
            return new Schedule.EveryHours(node.get("everyHours").asInt());
        }
        throw new BadRequestResponse(shape);
    }

    /** Whole days, 0 (remove at the next sync) to ten years. */
    private static Duration delay(JsonNode node) {
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0 || node.asInt() > 3650) {
            throw new BadRequestResponse(DELAY + " is a whole number of days from 0 to 3650 (30 by default): how long"
                    + " the copy keeps what the NAS's repository no longer holds.");
        }
        return Duration.ofDays(node.asInt());
    }

    private static long limit(JsonNode node) {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new BadRequestResponse("bandwidthLimit is a whole number of bytes per second, 0 for none.");
        }
        return node.asLong();
    }

    private static String text(JsonNode body, String field, String shape) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw new BadRequestResponse("The field \"" + field + "\" is missing. " + shape);
        }
        if (!v.isTextual()) {
            throw new BadRequestResponse("The field \"" + field + "\" must be a string. " + shape);
        }
        return v.asText();
    }

    private static String optional(JsonNode body, String field, String shape) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? null : text(body, field, shape);
    }

    /** A port as a number (or a string of digits, as a form sends it). */
    private static String port(JsonNode body, String shape) {
        JsonNode v = body.get("port");
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            return v.asText();
        }
        return text(body, "port", shape);
    }

    private static boolean bool(JsonNode body, String field, String shape) {
        JsonNode v = body.get(field);
        if (v == null || !v.isBoolean()) {
            throw new BadRequestResponse("The field \"" + field + "\" must be true or false. " + shape);
        }
        return v.asBoolean();
    }

    private static void refuse(JsonNode body, List<String> fields, String what) {
        for (String f : fields) {
            if (body.has(f)) {
                throw new BadRequestResponse("\"" + f + "\" does not apply to " + what + ".");
            }
        }
    }
}
