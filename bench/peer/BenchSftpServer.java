// The stand-in for a friend's Threefold in bench/peer/run: Apache MINA SSHD's SFTP server serving
// one folder to one user who logs in with one key. Run against the appliance's jar (which carries
// MINA SSHD and BouncyCastle) with Java's single-file launcher:
//   java -cp appliance/target/threefold.jar bench/peer/BenchSftpServer.java ROOT PORT USER AUTHORIZED_KEY HOST_KEY
// Prints the host key's SHA256 fingerprint on the first line of stdout, then serves until killed.
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

public class BenchSftpServer {
    public static void main(String[] args) throws Exception {
        Path root = Files.createDirectories(Path.of(args[0]));
        int port = Integer.parseInt(args[1]);
        String user = args[2];
        PublicKey allowed = PublicKeyEntry.parsePublicKeyEntry(Files.readString(Path.of(args[3])).strip())
                .resolvePublicKey(null, null, null);
        SimpleGeneratorHostKeyProvider hostKeys = new SimpleGeneratorHostKeyProvider(Path.of(args[4]));
        hostKeys.setAlgorithm("EdDSA");
        hostKeys.setKeySize(256);
        PublicKey hostKey = hostKeys.loadKeys(null).iterator().next().getPublic();
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(port);
        server.setKeyPairProvider(hostKeys);
        server.setPublickeyAuthenticator((u, key, session) -> user.equals(u) && KeyUtils.compareKeys(key, allowed));
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory.Builder().build()));
        server.setFileSystemFactory(new VirtualFileSystemFactory(root));
        server.start();
        System.out.println(KeyUtils.getFingerPrint(hostKey));
        System.out.flush();
        Thread.currentThread().join();
    }
}
