package app.threefold.prune;

/**
 * Work that runs just before the weekly prune, in its job: the appliance wires "forget by every
 * retention policy" here, so the prune frees what the policies let go. A failure stops that run.
 */
@FunctionalInterface
public interface BeforePrune {
    BeforePrune NOTHING = progress -> { };

    void run(Prune.Progress progress) throws Exception;
}
