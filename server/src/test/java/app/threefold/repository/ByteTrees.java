package app.threefold.repository;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Folders whose names are any bytes, made and read by python3: Java's file APIs cannot name a file
 * whose name is not UTF-8, and a test of byte-exact names must not depend on them.
 */
public final class ByteTrees {
    private static final HexFormat HEX = HexFormat.of();
    private static final String WRITE = """
            import os, sys
            root = os.fsencode(sys.argv[1])
            for line in sys.stdin:
                kind, path, data = (line.split() + [''])[:3]
                full = os.path.join(root, bytes.fromhex(path))
                if kind == 'D':
                    os.makedirs(full, exist_ok=True)
                else:
                    os.makedirs(os.path.dirname(full), exist_ok=True)
                    with open(full, 'wb') as f:
                        f.write(bytes.fromhex(data))
            """;
    private static final String READ = """
            import hashlib, os, sys
            root = os.fsencode(sys.argv[1])
            for d, dirs, files in os.walk(root):
                for name in dirs + files:
                    full = os.path.join(d, name)
                    rel = os.path.relpath(full, root)
                    if os.path.isdir(full) and not os.path.islink(full):
                        print('D', rel.hex(), '-')
                    else:
                        with open(full, 'rb') as f:
                            print('F', rel.hex(), hashlib.sha256(f.read()).hexdigest())
            """;

    private ByteTrees() {
    }

    /** Writes folders (value null) and files (value = content) at relative byte paths below root. */
    public static void write(Path root, Map<List<byte[]>, byte[]> entries) throws IOException, InterruptedException {
        StringBuilder in = new StringBuilder();
        for (var e : entries.entrySet()) {
            String path = HEX.formatHex(join(e.getKey()));
            in.append(e.getValue() == null ? "D " + path : "F " + path + " " + HEX.formatHex(e.getValue())).append('\n');
        }
        python(WRITE, root, in.toString());
    }

    /** Every entry below root: hex of its relative path (bytes) to "D" or the SHA-256 of its content. */
    public static Map<String, String> read(Path root) throws IOException, InterruptedException {
        Map<String, String> tree = new TreeMap<>();
        for (String line : python(READ, root, "").split("\n")) {
            if (!line.isBlank()) {
                String[] f = line.split(" ");
                tree.put(f[1], f[0].equals("D") ? "D" : f[2]);
            }
        }
        return tree;
    }

    /** The same manifest for entries given as {@link #write} takes them. */
    public static Map<String, String> manifest(Map<List<byte[]>, byte[]> entries) throws IOException {
        Map<String, String> tree = new TreeMap<>();
        for (var e : entries.entrySet()) {
            List<byte[]> path = e.getKey();
            for (int i = 1; i < path.size(); i++) {
                tree.put(HEX.formatHex(join(path.subList(0, i))), "D");
            }
            tree.put(HEX.formatHex(join(path)), e.getValue() == null ? "D" : sha256(e.getValue()));
        }
        return tree;
    }

    public static byte[] join(List<byte[]> path) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < path.size(); i++) {
            if (i > 0) {
                out.write('/');
            }
            out.writeBytes(path.get(i));
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] data) {
        try {
            return HEX.formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String python(String script, Path root, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "-c", script, root.toString()).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("python3 failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.US_ASCII);
    }
}
