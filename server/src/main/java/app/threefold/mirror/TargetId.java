package app.threefold.mirror;

/** A mirror target's id: a positive number, also what the API's {@code copy} field names. */
public record TargetId(long value) {

    public TargetId {
        if (value <= 0) {
            throw new InvalidTargetException("a target id is a positive number, not " + value);
        }
    }

    /**
     * Reads an id as a person or a URL gives it.
     *
     * @throws InvalidTargetException if {@code text} is not a positive whole number
     */
    public static TargetId parse(String text) {
        try {
            return new TargetId(Long.parseLong(text == null ? "" : text.trim()));
        } catch (NumberFormatException e) {
            throw new InvalidTargetException("'" + text + "' is not a target id; target ids are positive whole numbers");
        }
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
