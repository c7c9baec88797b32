package app.threefold.web.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * How the JSON API takes request bodies. A body must be sent as {@code Content-Type:
 * application/json} (else 415): a foreign web page can send {@code text/plain} without asking
 * the browser first, {@code application/json} it cannot. A body is read strictly: a field the
 * endpoint does not know, a wrong type or broken JSON answers 400 naming the field, never 500.
 */
public final class JsonBodies {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<HandlerType> WITH_BODY = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH,
            HandlerType.DELETE);

    private JsonBodies() {
    }

    public static void addTo(RoutesConfig routes) {
        routes.before("/api/*", JsonBodies::requireJson);
    }

    private static void requireJson(Context ctx) {
        if (!WITH_BODY.contains(ctx.method()) || !hasBody(ctx)) {
            return;
        }
        String type = ctx.contentType();
        String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json")) {
            throw new HttpResponseException(HttpStatus.UNSUPPORTED_MEDIA_TYPE.getCode(),
                    "Send the body as JSON with the header Content-Type: application/json"
                            + (type == null ? "" : " (not " + type + ")") + ".");
        }
    }

    private static boolean hasBody(Context ctx) {
        return ctx.contentLength() > 0 || ctx.header("Transfer-Encoding") != null;
    }

    /**
     * The body as a {@code type} (a record), read strictly.
     *
     * @param shape an example of the body, for the messages
     * @throws BadRequestResponse naming what is wrong
     */
    public static <T> T read(Context ctx, Class<T> type, String shape) {
        T value;
        try {
            value = JSON.readValue(ctx.body(), type);
        } catch (JsonProcessingException e) {
            throw new BadRequestResponse(describe(e) + " Send JSON like " + shape + ".");
        }
        if (value == null) {
            throw new BadRequestResponse("The body is empty. Send JSON like " + shape + ".");
        }
        return value;
    }

    /**
     * The body as a JSON object whose fields are all among {@code fields}, for endpoints that
     * tell a missing field from a null one (PATCH).
     */
    public static ObjectNode object(Context ctx, Collection<String> fields, String shape) {
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body());
        } catch (JsonProcessingException e) {
            throw new BadRequestResponse(describe(e) + " " + shape);
        }
        if (body == null || !body.isObject()) {
            throw new BadRequestResponse("The body must be a JSON object. " + shape);
        }
        for (var field : body.properties()) {
            String name = field.getKey();
            if (!fields.contains(name)) {
                throw new BadRequestResponse(unknown(name, fields) + " " + shape);
            }
        }
        return (ObjectNode) body;
    }

    /** What is wrong with a body, in words; {@link ApiErrors} uses it for bodies other code read. */
    static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return unknown(u.getPropertyName(), u.getKnownPropertyIds().stream().map(String::valueOf).toList());
        }
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            String field = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            return "The field \"" + field + "\" has the wrong type" + (m.getTargetType() == null ? ""
                    : " (expected " + typeName(m.getTargetType()) + ")") + ".";
        }
        var where = e.getLocation();
        return "The body is not valid JSON" + (where == null ? "" : " (line " + where.getLineNr() + ", column "
                + where.getColumnNr() + ")") + ": " + e.getOriginalMessage() + ".";
    }

    private static String unknown(String name, Collection<String> known) {
        return "Unknown field \"" + name + "\"; this endpoint takes " + String.join(", ", new TreeSet<>(known)) + ".";
    }

    private static String typeName(Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object";
    }
}
