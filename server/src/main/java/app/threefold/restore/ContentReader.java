package app.threefold.restore;

import app.threefold.ThreefoldException;
import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.index.BlobLocation;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

/**
 * Random access to one file's content in the repository, for HTTP range requests and SFTP
 * reads: only the blobs covering the requested range are read, and each is verified.
 * Not thread-safe; it caches the last blob read, as reads are mostly sequential.
 */
public final class ContentReader {
    private final Repository repository;
    private final List<Id> content;
    private final BlobLocation[] locations;
    /** starts[i] = offset of blob i in the file; starts[n] = file size. */
    private final long[] starts;
    private int cachedIndex = -1;
    private byte[] cached;

    public ContentReader(Repository repository, List<Id> content) {
        this.repository = repository;
        this.content = List.copyOf(content);
        this.locations = new BlobLocation[content.size()];
        this.starts = new long[content.size() + 1];
        for (int i = 0; i < content.size(); i++) {
            Id id = content.get(i);
            BlobLocation loc = repository.locate(BlobType.DATA, id).orElseThrow(() -> new RepositoryException(ThreefoldException.Kind.DAMAGED, 
                    "data blob " + id.shortHex() + " is not in the index; the repository is damaged: run `threefold check`"));
            locations[i] = loc;
            starts[i + 1] = starts[i] + loc.plaintextLength();
        }
    }

    public long size() {
        return starts[starts.length - 1];
    }

    /** Reads up to {@code len} bytes at {@code position}; returns -1 at the end of the file. */
    public int read(long position, byte[] buf, int off, int len) throws IOException {
        if (position >= size()) {
            return -1;
        }
        int i = Arrays.binarySearch(starts, position);
        if (i < 0) {
            i = -i - 2;
        }
        while (i < content.size() - 1 && starts[i + 1] <= position) {
            i++;
        }
        if (i != cachedIndex) {
            cached = repository.loadBlob(content.get(i), locations[i]);
            cachedIndex = i;
        }
        int inBlob = (int) (position - starts[i]);
        int n = Math.min(len, cached.length - inBlob);
        System.arraycopy(cached, inBlob, buf, off, n);
        return n;
    }

    /** A stream of {@code [offset, offset+length)}; {@code length < 0} means to the end. */
    public InputStream stream(long offset, long length) {
        long end = length < 0 ? size() : Math.min(size(), offset + length);
        return new InputStream() {
            private long pos = offset;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= end) {
                    return -1;
                }
                int n = ContentReader.this.read(pos, b, off, (int) Math.min(len, end - pos));
                if (n > 0) {
                    pos += n;
                }
                return n;
            }
        };
    }
}
