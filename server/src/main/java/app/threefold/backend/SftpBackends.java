package app.threefold.backend;

import java.io.IOException;

/**
 * Opens repositories on SFTP servers. The engine knows no SSH: the {@code sshd} module implements
 * this over Apache MINA SSHD's client and the appliance hands it to whoever opens such copies.
 */
public interface SftpBackends {

    /** For builds and tests without an SSH client: every SFTP location is refused with what to do. */
    SftpBackends NONE = new SftpBackends() {
        @Override
        public Backend open(SftpSettings settings) {
            throw new InvalidLocationException(settings.display(), "this program was started without an SFTP client;"
                    + " run it as the appliance (java -jar threefold.jar)");
        }

        @Override
        public Backend create(SftpSettings settings) {
            return open(settings);
        }
    };

    /**
     * The repository there; fails with {@link NotARepositoryException} if the folder holds none,
     * {@link HostKeyMismatchException} for another host key, {@link CredentialsRefusedException}
     * for a refused key or password, {@link BackendUnreachableException} if nothing answers.
     */
    Backend open(SftpSettings settings) throws IOException;

    /** Lays out a new, empty repository folder there; fails with {@link RepositoryExistsException} if one is there. */
    Backend create(SftpSettings settings) throws IOException;

    /**
     * The repository there, or a new one laid out when the folder holds none ({@code whenNew} runs
     * first); an implementation does both over one connection.
     */
    default Backend openOrCreate(SftpSettings settings, Runnable whenNew) throws IOException {
        try {
            return open(settings);
        } catch (NotARepositoryException none) {
            whenNew.run();
            return create(settings);
        }
    }
}
