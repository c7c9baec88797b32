package app.threefold.web.snapshots;

import app.threefold.browse.SnapshotNames;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

/**
 * Names the entries of one folder zip so that every common extractor recreates exactly the
 * snapshot's folders and nothing outside them.
 *
 * <ul>
 *   <li>A backslash is a legal character of a POSIX name, but Windows Explorer, 7-Zip and others
 *       treat it as a path separator, so {@code ..\..\evil.txt} would climb out of the folder. It
 *       becomes U+FF3C (＼, fullwidth reverse solidus), which looks the same and separates
 *       nothing. Names {@code .} and {@code ..}, which no file system stores but a damaged tree
 *       could, become {@code ．} and {@code ．．} likewise.</li>
 *   <li>A name whose bytes are not UTF-8 cannot be a zip entry's UTF-8 name: such bytes are
 *       written as {@code \xff} (and then the backslash rule applies).</li>
 *   <li>Should a changed name meet a real one ({@code a\b} and {@code a＼b} in one folder), the
 *       later one gets " (2)", " (3)"… so no entry is lost or overwritten.</li>
 *   <li>Every entry has the UTF-8 flag (bit 11, java.util.zip sets it for a UTF-8 stream) and,
 *       when its name is not ASCII, an Info-ZIP Unicode Path field (0x7075). java.util.zip marks
 *       entries as made by MS-DOS, and Info-ZIP {@code unzip} (Debian 12's 6.0) then converts their
 *       names from code page 437 despite the flag, garbling "Müsik" into "M++sik"; it does read the
 *       Unicode Path field and takes the name from there.</li>
 * </ul>
 */
final class ZipNames {

    private static final short UNICODE_PATH = 0x7075;
    private final Set<String> used = new HashSet<>();

    /**
     * The entry name of {@code name} inside the folder entry {@code prefix} (which ends in '/',
     * or is empty), without a trailing '/'; unique within this zip.
     */
    String child(String prefix, String name) {
        // A zip names entries in UTF-8: bytes that are not UTF-8 are written as their "\xff" form.
        String shown = SnapshotNames.shown(name);
        String safe = shown.equals(".") || shown.equals("..") ? shown.replace('.', '．') : shown.replace('\\', '＼');
        String candidate = prefix + safe;
        for (int n = 2; !used.add(candidate); n++) {
            candidate = prefix + safe + " (" + n + ")";
        }
        return candidate;
    }

    /** An entry named {@code name} (ending in '/' for a folder), marked so extractors decode the name as UTF-8. */
    static ZipEntry entry(String name) {
        ZipEntry entry = new ZipEntry(name);
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (utf8.length != name.length()) {
            CRC32 crc = new CRC32();
            crc.update(utf8);
            ByteBuffer field = ByteBuffer.allocate(9 + utf8.length).order(ByteOrder.LITTLE_ENDIAN);
            // Header ID, data size, version 1, CRC-32 of the name in the header (the same UTF-8 bytes), the name.
            field.putShort(UNICODE_PATH).putShort((short) (5 + utf8.length)).put((byte) 1).putInt((int) crc.getValue())
                    .put(utf8);
            entry.setExtra(field.array());
        }
        return entry;
    }
}
