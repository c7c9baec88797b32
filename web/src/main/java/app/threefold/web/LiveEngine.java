package app.threefold.web;

import app.threefold.engine.Engine;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The appliance's engine, which appears at run time when the setup wizard creates the
 * repository. Everything that needs the engine asks here instead of keeping its own reference.
 */
public final class LiveEngine implements Supplier<Optional<Engine>>, AutoCloseable {

    private final AtomicReference<Engine> engine = new AtomicReference<>();

    public LiveEngine(Engine initial) {
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
    public void install(Engine created) {
        if (!engine.compareAndSet(null, created)) {
            throw new IllegalStateException("the appliance already has an engine");
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
