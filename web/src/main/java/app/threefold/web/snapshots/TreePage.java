package app.threefold.web.snapshots;

import app.threefold.format.FormatException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * One page of a tree blob's entries, read by streaming over the JSON: entries before and after
 * the page are skipped without being decoded, so the first page of a 100,000-entry folder costs
 * one pass of the tokenizer instead of 100,000 node objects and 300,000 parsed timestamps.
 */
final class TreePage {

    private static final JsonFactory JSON = new JsonFactory();

    /** The page's entries (without path) and how many entries the tree has in all. */
    record Result(List<BrowseRoutes.Entry> entries, int total) {
    }

    private TreePage() {
    }

    static Result read(byte[] json, int from, int count, String prefix) {
        List<BrowseRoutes.Entry> entries = new ArrayList<>(Math.max(0, count));
        int index = 0;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new FormatException("a tree blob is malformed: it is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (!field.equals("nodes") || t != JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    if (index >= from && index < from + count) {
                        entries.add(entry(p, prefix));
                    } else {
                        p.skipChildren();
                    }
                    index++;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof FormatException f) {
                throw f;
            }
            throw new FormatException("a tree blob is malformed: " + e.getMessage(), e);
        }
        return new Result(entries, index);
    }

    private static BrowseRoutes.Entry entry(JsonParser p, String prefix) throws IOException {
        String name = null;
        String type = null;
        long size = 0;
        Instant mtime = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (field) {
                case "name" -> name = p.getText();
                case "type" -> type = p.getText();
                case "size" -> size = p.getLongValue();
                case "mtime" -> mtime = OffsetDateTime.parse(p.getText()).toInstant();
                default -> p.skipChildren();
            }
        }
        if (name == null || type == null) {
            throw new FormatException("a tree node lacks a name or type");
        }
        return new BrowseRoutes.Entry(name, type, size, mtime, prefix + name);
    }
}
