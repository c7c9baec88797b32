package app.threefold.appliance;

import app.threefold.backend.LocalBackend;
import app.threefold.index.MemoryIndex;
import app.threefold.repository.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import picocli.CommandLine.Option;

/**
 * {@code --repo LOCATION --password-file FILE}: opens any copy of a repository without a catalog,
 * indexing it in memory from its index files, as plain restic would.
 */
final class RepositoryOptions {

    @Option(names = "--repo", paramLabel = "LOCATION", required = true,
            description = "The repository: a folder (an appliance's DIR/repository, a USB copy).")
    String location;

    @Option(names = "--password-file", paramLabel = "FILE", required = true,
            description = "File holding a repository password (first line): the recovery password.")
    Path passwordFile;

    /** Opens the copy; packs that no index file names are indexed from their headers (in memory only). */
    Repository open() throws IOException {
        Repository repository = openIndexed();
        repository.indexUnindexedPacks(false);
        return repository;
    }

    /** Opens the copy with only what its index files say, as check must see it. */
    Repository openIndexed() throws IOException {
        if (location.startsWith("s3:") || location.startsWith("sftp:") || location.startsWith("peer:")) {
            throw new CommandRefusedException("--repo " + location + ": this build reads folder copies only;"
                    + " S3 and peer copies arrive with mirrors. Copy the repository to a folder or give its path.");
        }
        Path dir = Path.of(location);
        if (!Files.isDirectory(dir)) {
            throw new CommandRefusedException("--repo " + location + " is not a folder; give the repository's folder"
                    + " (an appliance's DIR/repository or a copy of it)");
        }
        char[] password = Secrets.read(passwordFile, "--password-file");
        Repository repository = Repository.open(LocalBackend.open(dir), password, new MemoryIndex(), new SecureRandom());
        repository.loadIndexFiles();
        return repository;
    }
}
