package app.threefold.architecture.bad.engine;

/** The engine that {@code BadCodec} should not know. */
public final class BadEngine {
}
