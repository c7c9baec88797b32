package app.threefold.index;

import app.threefold.format.BlobType;
import app.threefold.format.FormatException;
import app.threefold.format.Id;
import app.threefold.pack.PackEntry;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The JSON of an index file: {@code {"supersedes":[…],"packs":[{"id","blobs":[…]}]}}. */
public final class IndexFile {
    private static final JsonFactory JSON = new JsonFactory();

    /** One pack and its blobs as an index file lists it. */
    public record PackRecord(Id pack, List<PackEntry> blobs) {
    }

    private IndexFile() {
    }

    public static byte[] encode(List<PackRecord> packs, List<Id> supersedes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(packs.size() * 4096 + 64);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            if (!supersedes.isEmpty()) {
                g.writeArrayFieldStart("supersedes");
                for (Id id : supersedes) {
                    g.writeString(id.hex());
                }
                g.writeEndArray();
            }
            g.writeArrayFieldStart("packs");
            for (PackRecord p : packs) {
                g.writeStartObject();
                g.writeStringField("id", p.pack().hex());
                g.writeArrayFieldStart("blobs");
                for (PackEntry e : p.blobs()) {
                    g.writeStartObject();
                    g.writeStringField("id", e.id().hex());
                    g.writeStringField("type", e.type().json());
                    g.writeNumberField("offset", e.offset());
                    g.writeNumberField("length", e.length());
                    if (e.compressed()) {
                        g.writeNumberField("uncompressed_length", e.uncompressedLength());
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Parses an index file's JSON; also accepts the legacy format 1 top-level array. */
    public static List<PackRecord> decode(byte[] json) {
        List<PackRecord> packs = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_ARRAY) {
                readPacks(p, packs);
                return packs;
            }
            expect(first, JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("packs")) {
                    expect(p.currentToken(), JsonToken.START_ARRAY);
                    readPacks(p, packs);
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new FormatException("an index file is not valid JSON: " + e.getMessage(), e);
        }
        return packs;
    }

    private static void readPacks(JsonParser p, List<PackRecord> packs) throws IOException {
        while (p.nextToken() == JsonToken.START_OBJECT) {
            Id pack = null;
            List<PackEntry> blobs = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "id" -> pack = Id.parse(p.getText());
                    case "blobs" -> {
                        expect(p.currentToken(), JsonToken.START_ARRAY);
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            blobs.add(readBlob(p));
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (pack == null) {
                throw new FormatException("an index file lists a pack without an id");
            }
            packs.add(new PackRecord(pack, blobs));
        }
    }

    private static PackEntry readBlob(JsonParser p) throws IOException {
        Id id = null;
        BlobType type = null;
        long offset = -1;
        long length = -1;
        long uncompressed = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "id" -> id = Id.parse(p.getText());
                case "type" -> type = BlobType.fromJson(p.getText());
                case "offset" -> offset = p.getLongValue();
                case "length" -> length = p.getLongValue();
                case "uncompressed_length" -> uncompressed = p.getLongValue();
                default -> p.skipChildren();
            }
        }
        if (id == null || type == null || offset < 0 || length < 0 || offset > Integer.MAX_VALUE || length > Integer.MAX_VALUE) {
            throw new FormatException("an index file has an incomplete blob entry");
        }
        return new PackEntry(id, type, (int) offset, (int) length, (int) uncompressed);
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw new FormatException("an index file is malformed: expected " + expected + ", found " + actual);
        }
    }
}
