package app.threefold.browse;

import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The order a folder is listed in, as file managers list it: folders first, then names compared
 * without regard to case and with digit runs compared as numbers, so {@code IMG_2} comes before
 * {@code IMG_10}. (A tree stores its nodes by the bytes of their names, which puts {@code Zoo}
 * before {@code apple} and {@code IMG_10} before {@code IMG_2}.)
 */
final class FolderOrder {

    /** Names as people read them: case-insensitive, numbers by value; ties broken by the exact bytes. */
    static final Comparator<String> NAMES = FolderOrder::compareNames;

    private FolderOrder() {
    }

    /** The tree positions of {@code entries}, in listing order. */
    static int[] order(List<TreeCodec.Entry> entries) {
        record Key(int index, boolean folder, String folded, String name) {
        }
        Key[] keys = new Key[entries.size()];
        for (int i = 0; i < keys.length; i++) {
            TreeCodec.Entry e = entries.get(i);
            keys[i] = new Key(i, Node.DIR.equals(e.type()), e.name().toLowerCase(Locale.ROOT), e.name());
        }
        Arrays.sort(keys, Comparator.comparing((Key k) -> !k.folder())
                .thenComparing((a, b) -> compareFolded(a.folded(), b.folded()))
                .thenComparing((a, b) -> TreeCodec.compareNames(a.name(), b.name())));
        int[] order = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            order[i] = keys[i].index();
        }
        return order;
    }

    static int compareNames(String a, String b) {
        int c = compareFolded(a.toLowerCase(Locale.ROOT), b.toLowerCase(Locale.ROOT));
        return c != 0 ? c : TreeCodec.compareNames(a, b);
    }

    /** Compares lower-cased names, digit runs by their value (then by length, so "01" follows "1"). */
    private static int compareFolded(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (isDigit(ca) && isDigit(cb)) {
                int endA = digitsEnd(a, i);
                int endB = digitsEnd(b, j);
                int c = compareNumbers(a, i, endA, b, j, endB);
                if (c != 0) {
                    return c;
                }
                i = endA;
                j = endB;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static int compareNumbers(String a, int from, int to, String b, int fromB, int toB) {
        int sa = skipZeros(a, from, to);
        int sb = skipZeros(b, fromB, toB);
        // More significant digits is a larger number, however long the run.
        int c = Integer.compare(to - sa, toB - sb);
        for (int k = 0; c == 0 && k < to - sa; k++) {
            c = Character.compare(a.charAt(sa + k), b.charAt(sb + k));
        }
        return c != 0 ? c : Integer.compare(to - from, toB - fromB);
    }

    private static int skipZeros(String s, int from, int to) {
        while (from < to - 1 && s.charAt(from) == '0') {
            from++;
        }
        return from;
    }

    private static int digitsEnd(String s, int from) {
        while (from < s.length() && isDigit(s.charAt(from))) {
            from++;
        }
        return from;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
