package app.threefold.sshd.client;

import app.threefold.backend.Backend;
import app.threefold.backend.SftpBackends;
import app.threefold.backend.SftpSettings;
import java.io.IOException;
import java.util.Objects;

/** {@link SftpBackends} over Apache MINA SSHD's client: what the appliance hands the engine. */
public final class MinaSftpBackends implements SftpBackends {
    private final SftpBackend.Options options;

    public MinaSftpBackends(SftpBackend.Options options) {
        this.options = Objects.requireNonNull(options);
    }

    public MinaSftpBackends() {
        this(SftpBackend.Options.DEFAULT);
    }

    @Override
    public Backend open(SftpSettings settings) throws IOException {
        return SftpBackend.open(settings, options);
    }

    @Override
    public Backend create(SftpSettings settings) throws IOException {
        return SftpBackend.create(settings, options);
    }

    @Override
    public Backend openOrCreate(SftpSettings settings, Runnable whenNew) throws IOException {
        return SftpBackend.openOrCreate(settings, options, whenNew);
    }
}
