package app.threefold.engine;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Holds the appliance's engine, which appears at run time when the setup wizard (or
 * {@code threefold init}) creates the repository. Everything that needs the engine asks here
 * instead of keeping its own reference; the composition root asks it when the engine is
 * installed (to start SFTP) and closes it last among the engine's users.
 */
public final class EngineHolder implements Supplier<Optional<Engine>>, AutoCloseable {

    private final AtomicReference<Engine> engine = new AtomicReference<>();
    private final List<Consumer<Engine>> onInstall = new CopyOnWriteArrayList<>();

    public EngineHolder(Engine initial) {
        engine.set(initial);
    }

    @Override
    public Optional<Engine> get() {
        return Optional.ofNullable(engine.get());
    }

    /**
     * Installs the engine created by the wizard.
     *
     * @throws IllegalStateException if there is one already (the wizard ran twice)
     */
    public synchronized void install(Engine created) {
        if (!engine.compareAndSet(null, created)) {
            throw new IllegalStateException("the appliance already has an engine");
        }
        onInstall.forEach(action -> action.accept(created));
    }

    /**
     * Runs {@code action} with the engine: now if there is one, else when the wizard installs it
     * (e.g. to start the SFTP server, which needs the repository).
     */
    public synchronized void whenInstalled(Consumer<Engine> action) {
        Engine now = engine.get();
        if (now != null) {
            action.accept(now);
        } else {
            onInstall.add(action);
        }
    }

    @Override
    public void close() {
        Engine e = engine.getAndSet(null);
        if (e != null) {
            e.close();
        }
    }
}
