package app.threefold.sshd.client;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.backend.Backend;
import app.threefold.backend.BackendContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend contract against OpenSSH's {@code sftp-server} (behind OpenSSH's sshd on loopback):
 * a server without {@code check-file-name}, whose rename refuses an existing name as MINA's does.
 */
class OpenSshSftpBackendContractTest extends BackendContractTest {

    @TempDir
    static Path tmp;
    static OpenSshSftpServer server;
    private static int repositories;

    @BeforeAll
    static void startServer() throws Exception {
        server = new OpenSshSftpServer(tmp);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected Backend newBackend() throws Exception {
        return SftpBackend.create(server.settings(tmp.resolve("repository-" + ++repositories).toString()),
                SftpBackend.Options.DEFAULT);
    }

    @Test
    void uploadsAreNotVerifiedByTheServerSoTheSyncChecksTheirLength() {
        assertThat(backend.savesAreVerified()).isFalse();
    }
}
