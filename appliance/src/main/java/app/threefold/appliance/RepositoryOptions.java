package app.threefold.appliance;

import app.threefold.backend.Backend;
import app.threefold.backend.Location;
import app.threefold.index.MemoryIndex;
import app.threefold.repository.Repository;
import app.threefold.sshd.client.MinaSftpBackends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --repo LOCATION --password-file FILE}: opens any copy of a repository without a catalog,
 * indexing it in memory from its index files, as plain restic would. LOCATION is written as for
 * restic's {@code -r} (see {@link Location}), so the same line works with both programs.
 */
final class RepositoryOptions {

    @Option(names = "--repo", paramLabel = "LOCATION", required = true,
            description = "The repository: a folder (an appliance's DIR/repository, a USB copy),"
                    + " s3:ENDPOINT/BUCKET/PREFIX (credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,"
                    + " region from AWS_DEFAULT_REGION) or sftp://USER@HOST:PORT/PATH (a friend's NAS: with --key"
                    + " and --host-key; PATH empty for the login folder).")
    String location;

    @Mixin
    SftpLoginOptions sftp;

    @Option(names = "--password-file", paramLabel = "FILE", required = true,
            description = "File holding a repository password (first line): the recovery password.")
    Path passwordFile;

    /** Opens the copy; packs that no index file names are indexed from their headers (in memory only). */
    Repository open(Map<String, String> env) throws IOException {
        Repository repository = openIndexed(env);
        repository.indexUnindexedPacks(false);
        return repository;
    }

    /** Opens the copy with only what its index files say, as check must see it. */
    Repository openIndexed(Map<String, String> env) throws IOException {
        Location where = sftp.parse("--repo", location, env, new MinaSftpBackends());
        if (where instanceof Location.Folder folder && !Files.isDirectory(folder.path())) {
            throw new CommandRefusedException("--repo " + location + " is not a folder; give the repository's folder"
                    + " (an appliance's DIR/repository or a copy of it) or s3:ENDPOINT/BUCKET/PREFIX");
        }
        char[] password = Secrets.read(passwordFile, "--password-file");
        Backend backend = where.open();
        try {
            Repository repository = Repository.open(backend, password, new MemoryIndex(), new SecureRandom());
            repository.syncIndex();
            return repository;
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }
}
