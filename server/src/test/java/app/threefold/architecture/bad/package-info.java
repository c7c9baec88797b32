/**
 * A deliberately broken class set for {@code LayersTest}: the layer rules, applied with this
 * package as the base, must fail on it. Nothing else uses these classes.
 */
package app.threefold.architecture.bad;
