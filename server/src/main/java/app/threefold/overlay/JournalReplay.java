package app.threefold.overlay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redoes a journal's changes on an overlay: after a crash, on the device's latest snapshot; when
 * another session committed first, on that session's snapshot (last writer wins per path). A
 * change that no longer applies is skipped and logged.
 */
final class JournalReplay {
    private static final Logger log = LoggerFactory.getLogger(JournalReplay.class);
    /** A journal of thousands of refused changes must not flood the log with them. */
    private static final int LOGGED = 10;

    private final Overlay overlay;
    private final Path spoolDir;

    /** {@code spoolDir}: the folder of the journal's spool files. */
    JournalReplay(Overlay overlay, Path spoolDir) {
        this.overlay = overlay;
        this.spoolDir = spoolDir;
    }

    void replay(Iterator<Op> changes) {
        long skipped = 0;
        while (changes.hasNext()) {
            Op op = changes.next();
            try {
                apply(op);
            } catch (IOException | RuntimeException e) {
                if (++skipped <= LOGGED) {
                    String at = op.path() == null ? "" : PathTooLongException.abbreviated(OverlayTree.show(op.path()));
                    log.warn("device {}: skipped {} {} on replay: {}", overlay.device(), op.op(), at, e.getMessage());
                }
            }
        }
        if (skipped > LOGGED) {
            log.warn("device {}: skipped {} changes in all on replay", overlay.device(), skipped);
        }
    }

    private void apply(Op op) throws IOException {
        switch (op.op()) {
            case "put" -> put(op);
            case "mkdir" -> overlay.mkdir(op.path(), op.mode(), op.mtime());
            case "rmdir" -> overlay.rmdir(op.path());
            case "remove" -> overlay.remove(op.path());
            case "rename" -> overlay.rename(op.path(), op.to(), Boolean.TRUE.equals(op.replace()));
            case "symlink" -> overlay.symlink(op.path(), op.target());
            case "setattr" -> overlay.setAttributes(op.path(), op.mode(), op.mtime());
            default -> throw new IllegalArgumentException("unknown journal entry " + op.op());
        }
    }

    private void put(Op op) throws IOException {
        Path from = spoolDir.resolve(op.spool());
        if (!Files.exists(from)) {
            throw new NoSuchFileException(from.toString(), null, "its spool file is gone");
        }
        // Neither spool nor journal is synced at close (a crash of the process loses nothing):
        // after a power cut the journal line may have outlived part of the spool, and a short
        // file must not replace the previous version.
        if (op.size() != null && Files.size(from) != op.size()) {
            throw new FileSystemException(from.toString(), null, "its spool file holds " + Files.size(from)
                    + " of the " + op.size() + " bytes uploaded (cut short by a power loss?)");
        }
        Spool.SpoolWriter w = overlay.openSpooled(op.path(), true, true, false, op.mode());
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1 << 20);
            long pos = 0;
            while (in.read(b.clear(), pos) > 0) {
                b.flip();
                int n = b.remaining();
                w.write(pos, b);
                pos += n;
            }
        } catch (IOException | RuntimeException e) {
            // The previous version stays, as for an upload cut off.
            w.close(false);
            throw e;
        }
        synchronized (overlay) {
            w.node().mtime = op.mtime();
            w.node().mtimeSet = true;
            w.node().permissions = op.mode();
        }
        w.close(true);
    }
}
