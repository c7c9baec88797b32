package app.threefold.pack;

import app.threefold.crypto.AuthenticationFailedException;
import app.threefold.crypto.Crypto;
import app.threefold.format.BlobType;
import app.threefold.format.FormatException;
import app.threefold.format.Id;
import java.util.ArrayList;
import java.util.List;

/** Reads the header at the end of a pack, which lists every blob in it. */
public final class PackHeader {
    /** restic never writes headers this large; a bigger value means a damaged length field. */
    private static final int MAX_HEADER = 16 << 20;

    private PackHeader() {
    }

    /**
     * How many bytes at the end of a pack of {@code packSize} bytes to fetch so that
     * {@link #parse} can usually work without a second read.
     */
    public static int tailGuess(long packSize) {
        return (int) Math.min(packSize, 64 * 1024);
    }

    /** The sealed header's length from the pack's last four bytes. */
    public static int sealedHeaderLength(byte[] tail, Id pack) {
        int n = tail.length;
        if (n < 4) {
            throw new FormatException("pack " + pack.shortHex() + " is too short to have a header");
        }
        int len = (tail[n - 4] & 0xff) | (tail[n - 3] & 0xff) << 8 | (tail[n - 2] & 0xff) << 16 | (tail[n - 1] & 0xff) << 24;
        if (len < Crypto.OVERHEAD || len > MAX_HEADER) {
            throw new FormatException("pack " + pack.shortHex() + " has a damaged header length " + len);
        }
        return len;
    }

    /**
     * Parses the header from the pack's tail (at least header + 4 bytes), giving entries with
     * their offsets. Fails with {@link FormatException} if the header is damaged.
     */
    public static List<PackEntry> parse(byte[] tail, long packSize, Crypto crypto, Id pack) {
        int sealedLength = sealedHeaderLength(tail, pack);
        if (tail.length < sealedLength + 4 || packSize < sealedLength + 4) {
            throw new FormatException("pack " + pack.shortHex() + " is shorter than its header says");
        }
        byte[] header;
        try {
            header = crypto.open(tail, tail.length - 4 - sealedLength, sealedLength);
        } catch (AuthenticationFailedException e) {
            throw new FormatException("the header of pack " + pack.shortHex() + " is damaged (MAC mismatch)", e);
        }
        List<PackEntry> entries = new ArrayList<>();
        long dataEnd = packSize - 4 - sealedLength;
        long offset = 0;
        int p = 0;
        while (p < header.length) {
            int t = header[p] & 0xff;
            if (t > 3) {
                throw new FormatException("pack " + pack.shortHex() + " has an unknown blob type " + t);
            }
            boolean compressed = (t & 2) != 0;
            int need = compressed ? 41 : 37;
            if (p + need > header.length) {
                throw new FormatException("pack " + pack.shortHex() + " has a truncated header");
            }
            int length = getInt(header, p + 1);
            int uncompressed = compressed ? getInt(header, p + 5) : 0;
            Id id = Id.of(header, p + (compressed ? 9 : 5));
            if (length < Crypto.OVERHEAD || offset + length > dataEnd) {
                throw new FormatException("pack " + pack.shortHex() + " header describes blobs beyond its data");
            }
            entries.add(new PackEntry(id, (t & 1) != 0 ? BlobType.TREE : BlobType.DATA, (int) offset, length, uncompressed));
            offset += length;
            p += need;
        }
        return entries;
    }

    private static int getInt(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
    }
}
