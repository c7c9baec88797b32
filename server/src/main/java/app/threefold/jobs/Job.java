package app.threefold.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A job as seen at one moment. {@code progress} is 0..1; {@code amount} is how much of its work is
 * done in bytes or files (null while it counts, or once it ended); {@code result} is the job's
 * outcome (null until it ends); {@code error} says why a job failed to run at all.
 */
public record Job(long id, String kind, String device, String copy, String actor, State state, double progress,
                  String message, Amount amount, Map<String, Object> result, String error, Instant created,
                  Instant started, Instant finished) {

    /**
     * Work done so far in what people count: {@code done} of {@code total} bytes or files, what is
     * being done to them ("restored"), and the time left at the pace so far (null until a pace is known).
     */
    public record Amount(long done, long total, Unit unit, String verb, Duration left) {

        /** What {@code done} and {@code total} count. */
        public enum Unit {
            BYTES, FILES
        }
    }

    /** The life of a job; it ends in {@code succeeded} or {@code failed}. */
    public enum State {
        QUEUED, RUNNING, SUCCEEDED, FAILED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static State of(String label) {
            return valueOf(label.toUpperCase(java.util.Locale.ROOT));
        }
    }

    public boolean done() {
        return state == State.SUCCEEDED || state == State.FAILED;
    }

    Job with(State newState, double newProgress, String newMessage, Map<String, Object> newResult, String newError,
             Instant newStarted, Instant newFinished) {
        return with(newState, newProgress, newMessage, null, newResult, newError, newStarted, newFinished);
    }

    Job with(State newState, double newProgress, String newMessage, Amount newAmount, Map<String, Object> newResult,
             String newError, Instant newStarted, Instant newFinished) {
        return new Job(id, kind, device, copy, actor, newState, newProgress, newMessage, newAmount, newResult, newError,
                created, newStarted, newFinished);
    }
}
