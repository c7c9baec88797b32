package app.threefold.peer;

/**
 * What importing a seed disk into a guest's folder did: files copied (each checked for its length),
 * files already there and left alone, bytes copied.
 */
public record SeedImport(long copied, long alreadyThere, long bytes) {
}
