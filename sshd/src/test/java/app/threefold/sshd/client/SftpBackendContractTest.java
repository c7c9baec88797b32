package app.threefold.sshd.client;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.backend.Backend;
import app.threefold.backend.BackendContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backend contract over SFTP, against a MINA SSHD server serving a plain folder on loopback. */
class SftpBackendContractTest extends BackendContractTest {

    @TempDir
    static Path tmp;
    static FolderSftpServer server;
    private static int repositories;

    @BeforeAll
    static void startServer() throws Exception {
        server = new FolderSftpServer(tmp);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Test
    void uploadsAreVerifiedByTheSha256TheServerComputes() throws Exception {
        assertThat(backend.savesAreVerified()).isTrue();
        assertThat(((SftpBackend) backend).verification()).isEqualTo(SftpBackend.Verification.SHA256);
    }

    @Override
    protected Backend newBackend() throws Exception {
        return SftpBackend.create(server.settings("repository-" + ++repositories), SftpBackend.Options.DEFAULT);
    }
}
