package app.threefold.appliance;

import app.threefold.ThreefoldException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * One Threefold process per data directory: an OS lock on {@code DIR/threefold.lock}, held for the
 * life of the process and released by the OS even if the process dies. The file names the holder's
 * pid so the refusal can say which process to stop.
 */
final class InstanceLock implements AutoCloseable {

    static final String FILE = "threefold.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private InstanceLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws CommandRefusedException if another process (or another appliance in this JVM) holds it */
    static InstanceLock acquire(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (!Files.isDirectory(dataDir)) {
                // Owner-only, whatever the umask: the embedded PostgreSQL refuses a data directory others can write.
                Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                String holder = readPid(channel);
                channel.close();
                throw new CommandRefusedException(ThreefoldException.Kind.CONFLICT, "Another Threefold process is using " + dataDir + " (pid " + holder
                        + "); stop it first.");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            return new InstanceLock(channel, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the lock file " + file
                    + "; check that the data directory is writable", e);
        }
    }

    private static String readPid(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
        return pid.isEmpty() ? "unknown" : pid;
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot release the lock file", e);
        }
    }
}
