package app.threefold.architecture.bad.format;

import app.threefold.architecture.bad.engine.BadEngine;

/** A format class that reaches up to the engine: the violation {@code LayersTest} must catch. */
public final class BadCodec {
    private final BadEngine engine = new BadEngine();

    public BadEngine engine() {
        return engine;
    }
}
