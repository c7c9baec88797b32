package app.threefold.overlay;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.NoSuchElementException;

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

    /**
     * A journal read back after a crash, one change at a time: memory holds one line, not the
     * file (a session's journal may be larger than the heap). A torn last line (the crash
     * itself) is ignored; a bad line before the last one is damage, reported as such.
     */
    static final class Replay implements AutoCloseable, Iterator<Op> {
        private final BufferedReader in;
        private final Header header;
        private String next;
        /** The number of the line in {@link #next}. */
        private long line = 2;

        private Replay(BufferedReader in, Header header) throws IOException {
            this.in = in;
            this.header = header;
            this.next = in.readLine();
        }

        Header header() {
            return header;
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        /** The next change; {@link UncheckedIOException} if the journal is damaged or unreadable. */
        @Override
        public Op next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            try {
                while (next != null) {
                    String current = next;
                    long number = line++;
                    next = in.readLine();
                    try {
                        return JSON.readValue(current, Op.class);
                    } catch (IOException e) {
                        if (next != null) {
                            throw new JournalDamagedException(number, e);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new NoSuchElementException();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** A line in the middle of a journal is not a change this version understands. */
    static final class JournalDamagedException extends IOException {
        JournalDamagedException(long line, IOException cause) {
            super("line " + line + " of the journal cannot be read (" + cause.getMessage() + ")", cause);
        }
    }

    /** Opens a journal for replay; null if it is empty (the crash came before its first line). */
    static Replay read(Path dir) throws IOException {
        // Lenient decoding: a torn last line may end inside a character, and that must not fail the rest.
        BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(dir.resolve(FILE)), StandardCharsets.UTF_8));
        try {
            String first = in.readLine();
            if (first == null) {
                in.close();
                return null;
            }
            return new Replay(in, JSON.readValue(first, Header.class));
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }
}
