package app.threefold.backend;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A thread-safe backend in the heap, for unit tests of the layers above. It keeps the contract
 * that {@link BackendContractTest} checks, so a test that passes here does not rely on leniency.
 */
public final class MemoryBackend implements Backend {

    private final Map<Handle, byte[]> objects = new ConcurrentHashMap<>();

    @Override
    public String location() {
        return "memory:" + Integer.toHexString(System.identityHashCode(this));
    }

    @Override
    public void save(Handle handle, InputStream data, long length) throws IOException {
        if (length < 0 || length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a memory backend holds objects up to 2 GiB, not " + length);
        }
        byte[] bytes = data.readNBytes((int) length);
        if (bytes.length < length) {
            throw new EOFException("the data for " + handle.path() + " ended after " + bytes.length
                    + " of " + length + " bytes");
        }
        if (data.read() >= 0) {
            throw new IOException("the data for " + handle.path() + " is longer than " + length + " bytes");
        }
        if (handle.type() == FileType.LOCK) {
            objects.put(handle, bytes);
        } else if (objects.putIfAbsent(handle, bytes) != null) {
            throw new ObjectExistsException(handle, location());
        }
    }

    @Override
    public InputStream open(Handle handle, long offset, long length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative: " + offset + ", " + length);
        }
        byte[] bytes = bytesOf(handle);
        long end = length == 0 ? bytes.length : offset + length;
        if (offset > bytes.length || end > bytes.length) {
            throw new EOFException(handle.path() + " has " + bytes.length + " bytes; cannot read bytes "
                    + offset + " to " + end);
        }
        return new ByteArrayInputStream(bytes, (int) offset, (int) (end - offset));
    }

    @Override
    public long stat(Handle handle) throws IOException {
        return bytesOf(handle).length;
    }

    @Override
    public void list(FileType type, Consumer<ObjectInfo> each) {
        // A copy, so a consumer may save or remove while listing, as it may on a real backend.
        List<Map.Entry<Handle, byte[]>> entries = List.copyOf(objects.entrySet());
        for (Map.Entry<Handle, byte[]> entry : entries) {
            if (entry.getKey().type() == type) {
                each.accept(new ObjectInfo(entry.getKey(), entry.getValue().length));
            }
        }
    }

    @Override
    public void remove(Handle handle) {
        objects.remove(handle);
    }

    private byte[] bytesOf(Handle handle) throws NoSuchObjectException {
        byte[] bytes = objects.get(handle);
        if (bytes == null) {
            throw new NoSuchObjectException(handle, location());
        }
        return bytes;
    }
}
