package app.threefold.repository;

import app.threefold.ThreefoldException;
import java.time.Duration;
import java.util.function.IntConsumer;

/**
 * This process's side of the repository's locks: the work that writes (backups, SFTP sessions)
 * enters shared, a prune enters alone. Lock files tell other programs; this tells the threads of
 * this process, and makes them wait instead of refusing: a backup that starts while a prune runs
 * or waits to run waits for it, and a prune waits for the backups and sessions already running
 * (they hold packs the index does not name yet, or rely on blobs the prune could remove).
 * Not reentrant, and not tied to threads: a session may end on another thread than it began.
 */
final class MaintenanceGate {
    private int shared;
    private boolean exclusive;
    private int waitingExclusive;

    /** Waits while a prune runs or waits to run. */
    synchronized void enterShared() {
        boolean interrupted = false;
        while (exclusive || waitingExclusive > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        shared++;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits only while a prune runs, not while one waits: for short reads by a thread that may
     * already hold the gate shared (a session syncing the index), which must not wait for a prune
     * that waits for it. While a prune runs nobody holds it shared, so this cannot deadlock.
     */
    synchronized void enterSharedBriefly() {
        boolean interrupted = false;
        while (exclusive) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        shared++;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    synchronized void leaveShared() {
        shared--;
        notifyAll();
    }

    /**
     * Waits up to {@code patience} for the shared holders to leave; new ones wait meanwhile.
     * {@code waiting} hears how many still hold it, whenever that number changes.
     */
    synchronized void enterExclusive(Duration patience, IntConsumer waiting) {
        long deadline = System.nanoTime() + patience.toNanos();
        waitingExclusive++;
        try {
            int told = -1;
            while (exclusive || shared > 0) {
                int now = exclusive ? 1 : shared;
                if (now != told) {
                    waiting.accept(now);
                    told = now;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new RepositoryException(ThreefoldException.Kind.CONFLICT, (exclusive ? "another prune runs"
                            : shared + " backup(s) or SFTP session(s) still write to the repository")
                            + " after waiting " + patience.toSeconds() + " s; try again once they have ended"
                            + " (the panel's Activity page shows what runs), or end the SFTP sessions");
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RepositoryException(ThreefoldException.Kind.UNAVAILABLE,
                            "stopped while waiting for backups to end (the appliance is stopping); run the prune again", e);
                }
            }
            exclusive = true;
        } finally {
            waitingExclusive--;
            notifyAll();
        }
    }

    synchronized void leaveExclusive() {
        exclusive = false;
        notifyAll();
    }

    synchronized int sharedHolders() {
        return shared;
    }
}
