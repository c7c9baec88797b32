package app.threefold.tree;

import app.threefold.format.FormatException;
import app.threefold.format.Id;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Tree blobs as restic writes them: {@code {"nodes":[…]}\n}, nodes sorted by name, fields in
 * restic's order and with its omissions, so a tree Threefold writes reads like one restic wrote.
 */
public final class TreeCodec {
    private static final JsonFactory JSON = new JsonFactory();
    /** Go's RFC 3339 with nanoseconds; trailing zero digits are dropped as Go does. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    /** Nodes sort by the bytes of their names, like Go strings compare. */
    public static final Comparator<Node> ORDER = (a, b) -> compareNames(a.name(), b.name());
    /** Go's encoding/json escapes these as HTML-safe {@code \\u00XX}; restic's trees have them so. */
    private static final CharacterEscapes GO_JSON_ESCAPES = new GoJsonEscapes();

    private TreeCodec() {
    }

    /** Compares two names (see {@link NameCharset}) by their bytes. */
    public static int compareNames(String a, String b) {
        return Arrays.compareUnsigned(NameCharset.toBytes(a), NameCharset.toBytes(b));
    }

    /** Encodes nodes (sorted here) into a tree blob's plaintext. */
    public static byte[] encode(List<Node> nodes) {
        record Keyed(byte[] key, Node node) {
        }
        List<Keyed> keyed = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            keyed.add(new Keyed(NameCharset.toBytes(n.name()), n));
        }
        keyed.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
        List<Node> sorted = new ArrayList<>(nodes.size());
        for (int i = 0; i < keyed.size(); i++) {
            if (i > 0 && Arrays.equals(keyed.get(i).key(), keyed.get(i - 1).key())) {
                throw new IllegalArgumentException("a tree cannot hold two entries named \""
                        + NameCharset.printable(keyed.get(i).node().name()) + "\"");
            }
            sorted.add(keyed.get(i).node());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + nodes.size() * 320);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.setCharacterEscapes(GO_JSON_ESCAPES);
            g.writeStartObject();
            g.writeArrayFieldStart("nodes");
            for (Node n : sorted) {
                writeNode(g, n);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void writeNode(JsonGenerator g, Node n) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", GoQuote.quote(n.name()));
        g.writeStringField("type", n.type());
        if (n.mode() != 0) {
            g.writeNumberField("mode", n.mode());
        }
        g.writeStringField("mtime", time(n.mtime()));
        g.writeStringField("atime", time(n.atime()));
        g.writeStringField("ctime", time(n.ctime()));
        g.writeNumberField("uid", n.uid());
        g.writeNumberField("gid", n.gid());
        if (n.user() != null && !n.user().isEmpty()) {
            g.writeStringField("user", n.user());
        }
        if (n.group() != null && !n.group().isEmpty()) {
            g.writeStringField("group", n.group());
        }
        if (n.inode() != 0) {
            g.writeNumberField("inode", n.inode());
        }
        if (n.deviceId() != 0) {
            g.writeNumberField("device_id", n.deviceId());
        }
        if (n.size() != 0) {
            g.writeNumberField("size", n.size());
        }
        if (n.links() != 0) {
            g.writeNumberField("links", n.links());
        }
        if (n.linkTarget() != null && !n.linkTarget().isEmpty()) {
            g.writeStringField("linktarget", n.linkTarget());
        }
        g.writeFieldName("content");
        if (n.content() == null) {
            g.writeNull();
        } else {
            g.writeStartArray();
            for (Id id : n.content()) {
                g.writeString(id.hex());
            }
            g.writeEndArray();
        }
        if (n.subtree() != null) {
            g.writeStringField("subtree", n.subtree().hex());
        }
        g.writeEndObject();
    }

    private static String time(Instant t) {
        return TIME.format(OffsetDateTime.ofInstant(t == null ? Instant.EPOCH : t, ZoneOffset.UTC));
    }

    /** Decodes a tree blob written by Threefold or restic. */
    public static List<Node> decode(byte[] json) {
        return decodePage(json, 0, Integer.MAX_VALUE).nodes();
    }

    /** Some of a tree's nodes, and how many it has in all. */
    public record Page(List<Node> nodes, int total) {
    }

    /**
     * Decodes only the nodes {@code [from, from + count)}: the others are skipped by the tokenizer
     * without being decoded, so the first page of a 100,000-entry folder is cheap.
     */
    public static Page decodePage(byte[] json, int from, int count) {
        return decodeWhere(json, index -> index >= from && index - from < count);
    }

    /** A node's name and type, what listing a folder in another order than the tree's needs. */
    public record Entry(String name, String type) {
    }

    /**
     * Every node's name and type, in tree order, decoding nothing else: sorting a 100,000-entry
     * folder for display then costs one tokenizer pass, not 300,000 timestamps.
     */
    public static List<Entry> entries(byte[] json) {
        List<Entry> entries = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("nodes") && t == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        String name = null;
                        String type = null;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            JsonToken v = p.nextToken();
                            if (f.equals("name") && v == JsonToken.VALUE_STRING) {
                                name = GoQuote.unquote(p.getText());
                            } else if (f.equals("type") && v == JsonToken.VALUE_STRING) {
                                type = p.getText();
                            } else {
                                p.skipChildren();
                            }
                        }
                        if (name == null || type == null) {
                            throw new FormatException("a tree node lacks a name or type");
                        }
                        entries.add(new Entry(name, type));
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new FormatException("a tree blob is malformed: " + e.getMessage(), e);
        }
        return entries;
    }

    /** The blobs a tree refers to: every node's content (data blobs) and subtree. */
    public record References(List<Id> content, List<Id> subtrees) {
    }

    /**
     * Only what a tree refers to, decoding nothing else: a prune's mark walks every tree of every
     * snapshot and needs no names, modes or timestamps (parsing three timestamps a node was most of
     * its work).
     */
    public static References references(byte[] json) {
        List<Id> content = new ArrayList<>();
        List<Id> subtrees = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("nodes") && t == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            JsonToken v = p.nextToken();
                            if (f.equals("content") && v == JsonToken.START_ARRAY) {
                                while (p.nextToken() == JsonToken.VALUE_STRING) {
                                    content.add(Id.parse(p.getText()));
                                }
                            } else if (f.equals("subtree") && v == JsonToken.VALUE_STRING) {
                                subtrees.add(Id.parse(p.getText()));
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new FormatException("a tree blob is malformed: " + e.getMessage(), e);
        }
        return new References(content, subtrees);
    }

    /**
     * Decodes only the nodes whose position in the tree {@code wanted} accepts, in tree order, and
     * counts all of them; the others are skipped by the tokenizer without being decoded.
     */
    public static Page decodeWhere(byte[] json, java.util.function.IntPredicate wanted) {
        List<Node> nodes = new ArrayList<>();
        int index = 0;
        try (JsonParser p = JSON.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("nodes") && t == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        if (wanted.test(index)) {
                            nodes.add(readNode(p));
                        } else {
                            p.skipChildren();
                        }
                        index++;
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException | IllegalArgumentException | java.time.DateTimeException e) {
            throw new FormatException("a tree blob is malformed: " + e.getMessage(), e);
        }
        return new Page(nodes, index);
    }

    private static Node readNode(JsonParser p) throws IOException {
        String name = null;
        String type = null;
        String user = null;
        String group = null;
        String linkTarget = null;
        long mode = 0, uid = 0, gid = 0, inode = 0, deviceId = 0, size = 0, links = 0;
        Instant mtime = null, atime = null, ctime = null;
        List<Id> content = null;
        Id subtree = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (field) {
                case "name" -> name = GoQuote.unquote(p.getText());
                case "type" -> type = p.getText();
                case "mode" -> mode = p.getLongValue();
                case "mtime" -> mtime = parseTime(p.getText());
                case "atime" -> atime = parseTime(p.getText());
                case "ctime" -> ctime = parseTime(p.getText());
                case "uid" -> uid = p.getLongValue();
                case "gid" -> gid = p.getLongValue();
                case "user" -> user = p.getText();
                case "group" -> group = p.getText();
                case "inode" -> inode = p.getLongValue();
                case "device_id" -> deviceId = p.getLongValue();
                case "size" -> size = p.getLongValue();
                case "links" -> links = p.getLongValue();
                case "linktarget" -> linkTarget = p.getText();
                case "content" -> {
                    content = new ArrayList<>();
                    while (p.nextToken() == JsonToken.VALUE_STRING) {
                        content.add(Id.parse(p.getText()));
                    }
                }
                case "subtree" -> subtree = Id.parse(p.getText());
                default -> p.skipChildren();
            }
        }
        if (name == null || type == null) {
            throw new FormatException("a tree node lacks a name or type");
        }
        if (type.equals(Node.FILE) && content == null) {
            content = List.of();
        }
        return new Node(name, type, mode, mtime, atime, ctime, uid, gid, user, group, inode, deviceId, size, links, linkTarget, content, subtree);
    }

    private static Instant parseTime(String s) {
        return OffsetDateTime.parse(s, TIME).toInstant();
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw new FormatException("a tree blob is malformed: expected " + expected + ", found " + actual);
        }
    }

    private static final class GoJsonEscapes extends CharacterEscapes {
        private final int[] ascii = CharacterEscapes.standardAsciiEscapesForJSON();

        GoJsonEscapes() {
            ascii['<'] = ESCAPE_CUSTOM;
            ascii['>'] = ESCAPE_CUSTOM;
            ascii['&'] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return new SerializedString(String.format("\\u%04x", ch));
        }
    }
}
