package app.threefold.overlay;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A session's folder in the data dir: a journal of its changes (JSON lines) and the spool files
 * of the files it wrote. Lines reach the operating system before a request is answered, so an
 * appliance crash loses no closed file; {@link #sync} makes them durable against power loss.
 * The folder is deleted once its changes are in a snapshot.
 */
final class Journal implements AutoCloseable {
    static final String FILE = "journal";
    // Names are bytes (see NameCharset): bytes that are not UTF-8 are lone surrogates in a String,
    // which only the \\u escape of ASCII-only JSON carries through a write and a read unchanged.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();

    /** The first line: whose session it is and what it started from. */
    record Header(String device, String base) {
    }

    private final Path dir;
    private FileChannel out;

    private Journal(Path dir, FileChannel out) {
        this.dir = dir;
        this.out = out;
    }

    static Journal create(Path dir, String device, String base) throws IOException {
        Files.createDirectories(dir);
        FileChannel out = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Journal j = new Journal(dir, out);
        j.writeLine(JSON.writeValueAsBytes(new Header(device, base)));
        return j;
    }

    Path dir() {
        return dir;
    }

    synchronized void append(Op op) throws IOException {
        writeLine(JSON.writeValueAsBytes(op));
    }

    private void writeLine(byte[] json) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    /** Starts over (after a checkpoint): the journal is empty again but for the new base. */
    synchronized void restart(String device, String base) throws IOException {
        out.truncate(0);
        out.position(0);
        writeLine(JSON.writeValueAsBytes(new Header(device, base)));
        out.force(false);
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    /** A journal read back after a crash; a torn last line (the crash itself) is ignored. */
    record Replay(Header header, List<Op> ops) {
    }

    static Replay read(Path dir) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve(FILE), StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return null;
        }
        Header header = JSON.readValue(lines.get(0), Header.class);
        List<Op> ops = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            try {
                ops.add(JSON.readValue(lines.get(i), Op.class));
            } catch (IOException e) {
                if (i != lines.size() - 1) {
                    throw e;
                }
            }
        }
        return new Replay(header, ops);
    }
}
