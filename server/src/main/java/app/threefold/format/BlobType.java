package app.threefold.format;

/** What a blob holds; data and tree blobs always live in separate packs. */
public enum BlobType {
    DATA("data"),
    TREE("tree");

    private final String json;

    BlobType(String json) {
        this.json = json;
    }

    /** The name used in index files. */
    public String json() {
        return json;
    }

    public static BlobType fromJson(String name) {
        return switch (name) {
            case "data" -> DATA;
            case "tree" -> TREE;
            default -> throw new FormatException("unknown blob type \"" + name + "\"");
        };
    }
}
