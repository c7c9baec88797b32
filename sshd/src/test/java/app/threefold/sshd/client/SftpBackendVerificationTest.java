package app.threefold.sshd.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.CopyOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upload is verified under its temporary name: bytes the server stored wrong never get the
 * object's name. On a friend's appliance a remove is only a request, so a wrong object that got
 * its name would stay there and be taken for good by the next sync.
 */
class SftpBackendVerificationTest {

    @TempDir
    Path tmp;

    @Test
    void bytesStoredWrongAreNeverGivenTheObjectsNameAndTheNextTryStoresTheRightOnes() throws Exception {
        try (FolderSftpServer server = new FolderSftpServer(tmp)) {
            AtomicBoolean corrupt = new AtomicBoolean(true);
            List<String> named = new CopyOnWriteArrayList<>();
            SftpSubsystemFactory sftp = (SftpSubsystemFactory) server.server.getSubsystemFactories().get(0);
            sftp.addSftpEventListener(new SftpEventListener() {
                @Override
                public void closed(ServerSession session, String remoteHandle, org.apache.sshd.sftp.server.Handle local,
                        Throwable thrown) throws IOException {
                    // A disk or a server that stores other bytes than it was sent.
                    if (corrupt.get() && local.getFile().getFileName().toString().contains("-tmp-")) {
                        try (FileChannel f = FileChannel.open(local.getFile(), StandardOpenOption.WRITE)) {
                            f.write(ByteBuffer.wrap(new byte[] {'?'}), 0);
                        }
                    }
                }

                @Override
                public void moved(ServerSession session, Path src, Path dst, Collection<CopyOption> opts, Throwable thrown) {
                    if (thrown == null) {
                        named.add(dst.getFileName().toString());
                    }
                }
            });
            byte[] content = "an object's ciphertext".getBytes(StandardCharsets.UTF_8);
            String name = "ab".repeat(32);
            Handle handle = new Handle(FileType.PACK, name);
            try (SftpBackend backend = SftpBackend.create(server.settings("repository"), SftpBackend.Options.DEFAULT)) {
                assertThatThrownBy(() -> backend.save(handle, content)).isInstanceOf(IOException.class)
                        .hasMessageContaining("other bytes");
                assertThat(named).doesNotContain(name);

                corrupt.set(false);
                backend.save(handle, content);
                assertThat(backend.readAll(handle)).isEqualTo(content);
                assertThat(named).containsOnlyOnce(name);
            }
        }
    }

    /**
     * A sync's stream that hashes what it hands over spares the backend a second pass over every
     * byte; the server's hash is then held against the stream's, so the stream must be right.
     */
    @Test
    void theHashOfAStreamThatHashesItselfIsTheOneTheServersHashIsHeldTo() throws Exception {
        byte[] content = "an object's ciphertext".getBytes(StandardCharsets.UTF_8);
        byte[] other = "other bytes of one size".getBytes(StandardCharsets.UTF_8);
        try (FolderSftpServer server = new FolderSftpServer(tmp);
             SftpBackend backend = SftpBackend.create(server.settings("repository"), SftpBackend.Options.DEFAULT)) {
            Handle wrong = new Handle(FileType.PACK, "cd".repeat(32));
            assertThatThrownBy(() -> backend.save(wrong, new SelfHashing(content, sha256(other)), content.length))
                    .isInstanceOf(IOException.class).hasMessageContaining("other bytes");
            assertThat(backend.exists(wrong)).isFalse();

            Handle right = new Handle(FileType.PACK, "ef".repeat(32));
            backend.save(right, new SelfHashing(content, sha256(content)), content.length);
            assertThat(backend.readAll(right)).isEqualTo(content);
        }
    }

    private static byte[] sha256(byte[] bytes) throws java.security.NoSuchAlgorithmException {
        return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    /** Bytes with the hash their producer claims for them. */
    private static final class SelfHashing extends java.io.ByteArrayInputStream implements app.threefold.backend.HashedInput {
        private final byte[] claimed;

        SelfHashing(byte[] bytes, byte[] claimed) {
            super(bytes);
            this.claimed = claimed;
        }

        @Override
        public byte[] sha256() {
            return claimed.clone();
        }
    }
}
