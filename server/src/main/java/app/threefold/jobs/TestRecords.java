package app.threefold.jobs;

import app.threefold.format.Id;
import app.threefold.verify.RestoreProof;
import java.util.Set;

/**
 * Where restore tests' outcomes are kept, and what a test reads: everything, or a sample within the
 * device's byte budget that goes first to the packs earlier samples did not read. The catalog keeps
 * them ({@code proof.RestoreTestLog}); {@link #NONE} keeps nothing and tests in full.
 */
public interface TestRecords {

    TestRecords NONE = new TestRecords() {
        @Override
        public RestoreProof.Sample sample(String device, String copy) {
            return RestoreProof.Sample.FULL;
        }

        @Override
        public void packsRead(String device, String copy, Set<Id> packs, boolean newRound) {
        }

        @Override
        public void ended(Outcome outcome) {
        }
    };

    /**
     * How a test ended: {@code result} as the job's (null if it could not run), or {@code error}
     * saying why it could not run (the copy was unreachable, the device has no snapshot there).
     */
    record Outcome(long job, String device, String copy, String actor, java.time.Instant started,
                   java.time.Instant finished, java.util.Map<String, Object> result, String error) {
    }

    /** What a test of {@code device} on {@code copy} ({@value RestoreProofs#LOCAL} or a target id) reads. */
    RestoreProof.Sample sample(String device, String copy);

    /** The packs a sampled test read; {@code newRound}: it started over, forget the earlier rounds' packs. */
    void packsRead(String device, String copy, Set<Id> packs, boolean newRound);

    /** A restore test ended: passed, failed, or could not run at all; called before its job counts as done. */
    void ended(Outcome outcome);
}
