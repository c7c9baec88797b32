package app.threefold.jobs;

import app.threefold.InvalidIdException;

/** A job's number, as the call that started the job returned it; parsed once where it enters. */
public record JobId(long value) {

    /** @throws InvalidIdException if {@code text} is not a decimal number */
    public static JobId parse(String text) {
        try {
            return new JobId(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new InvalidIdException("A job id is a number.");
        }
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
