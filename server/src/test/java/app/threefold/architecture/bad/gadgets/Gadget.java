package app.threefold.architecture.bad.gadgets;

/** A class in a package that no layer names: {@code LayersTest} must ask for it to be placed. */
public final class Gadget {
}
