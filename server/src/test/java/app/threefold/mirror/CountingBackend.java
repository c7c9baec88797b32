package app.threefold.mirror;

import app.threefold.backend.Backend;
import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A target wrapper for tests: records every save and listing, and can fail every save after the
 * first {@code savesBeforeFailing} with a transient-looking error, as a link that goes down would.
 */
final class CountingBackend implements Backend {
    private final Backend delegate;
    private final int savesBeforeFailing;
    final List<Handle> saved = new CopyOnWriteArrayList<>();
    final AtomicInteger listings = new AtomicInteger();
    private final AtomicInteger attempts = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicReference<IoAction> afterListing =
            new java.util.concurrent.atomic.AtomicReference<>();
    private volatile FileType afterListingOf;
    /** Refuses every removal, as a key without s3:DeleteObject or an object lock does. */
    volatile boolean refuseRemovals;

    /** Something that writes to the repository, e.g. a backup. */
    interface IoAction {
        void run() throws IOException;
    }

    /** Runs {@code action} once, right after the first listing of {@code type} ends: a backup that writes while a sync lists. */
    void afterListing(FileType type, IoAction action) {
        afterListingOf = type;
        afterListing.set(action);
    }

    CountingBackend(Backend delegate, int savesBeforeFailing) {
        this.delegate = delegate;
        this.savesBeforeFailing = savesBeforeFailing;
    }

    CountingBackend(Backend delegate) {
        this(delegate, Integer.MAX_VALUE);
    }

    @Override
    public String location() {
        return delegate.location();
    }

    @Override
    public void save(Handle handle, InputStream data, long length) throws IOException {
        if (attempts.incrementAndGet() > savesBeforeFailing) {
            throw new IOException("test: the link to " + location() + " went down");
        }
        delegate.save(handle, data, length);
        saved.add(handle);
    }

    @Override
    public InputStream open(Handle handle, long offset, long length) throws IOException {
        return delegate.open(handle, offset, length);
    }

    @Override
    public long stat(Handle handle) throws IOException {
        return delegate.stat(handle);
    }

    @Override
    public void list(FileType type, Consumer<ObjectInfo> each) throws IOException {
        listings.incrementAndGet();
        delegate.list(type, each);
        IoAction action = type == afterListingOf ? afterListing.getAndSet(null) : null;
        if (action != null) {
            action.run();
        }
    }

    /** How many removals go through before the next one stops the sync, as a kill would; unlimited by default. */
    final AtomicInteger removalsLeft = new AtomicInteger(Integer.MAX_VALUE);
    final List<Handle> removed = new CopyOnWriteArrayList<>();

    @Override
    public void remove(Handle handle) throws IOException {
        if (refuseRemovals) {
            throw new java.nio.file.AccessDeniedException(handle.path(), null, "test: Access denied (no s3:DeleteObject)");
        }
        if (removalsLeft.getAndDecrement() <= 0) {
            throw new java.io.InterruptedIOException("test: the sync was stopped before removing " + handle.path());
        }
        delegate.remove(handle);
        removed.add(handle);
    }
}
