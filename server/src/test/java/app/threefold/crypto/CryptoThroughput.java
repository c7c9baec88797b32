package app.threefold.crypto;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * Prints single-core (and two-thread) throughput of sealing, opening and the MAC alone, after
 * warm-up. Not a test: run it by hand with the test classpath, e.g.
 * {@code java -cp server/target/classes:server/target/test-classes:<bcprov jar> app.threefold.crypto.CryptoThroughput}.
 */
public final class CryptoThroughput {

    private static final double SECONDS = 3;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CryptoThroughput() {
    }

    public static void main(String[] args) throws Exception {
        SecureRandom random = new SecureRandom();
        MasterKey key = MasterKey.random(random);
        Crypto crypto = new Crypto(key, random);
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 1 << 20;
        byte[] plain = new byte[size];
        new SplittableRandom(1).nextBytes(plain);
        byte[] sealed = crypto.seal(plain);
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        byte[] tag = new byte[16];

        Poly1305 ours = new Poly1305(key.macR(), 0);
        org.bouncycastle.crypto.macs.Poly1305 bc = new org.bouncycastle.crypto.macs.Poly1305(AESEngine.newInstance());
        byte[] rk = new byte[32];
        System.arraycopy(key.macR(), 0, rk, 0, 16);
        System.arraycopy(key.macK(), 0, rk, 16, 16);
        Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding");
        SecretKeySpec aesKey = new SecretKeySpec(key.encryption(), "AES");
        byte[] out = new byte[size];

        System.out.printf("%s, %d-byte messages, %s%n", Runtime.version(), size,
                System.getProperty("os.arch"));
        measure("Poly1305 (ours)", size, () -> ours.tag(plain, 0, size, nonce, 0, tag, 0));
        measure("Poly1305-AES (ours, with AES(nonce))", size, () -> crypto.mac(nonce, 0, plain, 0, size, tag, 0));
        measure("Poly1305-AES (BouncyCastle)", size, () -> {
            bc.init(new ParametersWithIV(new KeyParameter(rk), nonce));
            bc.update(plain, 0, size);
            bc.doFinal(tag, 0);
        });
        measure("AES-256-CTR, one Cipher reused", size, () -> ctr(ctr, aesKey, nonce, plain, out));
        measure("AES-256-CTR, new Cipher per call", size,
                () -> ctr(Cipher.getInstance("AES/CTR/NoPadding"), aesKey, nonce, plain, out));
        measure("seal", size, () -> crypto.seal(plain));
        measure("open", size, () -> crypto.open(sealed));
        measureParallel("seal, 2 threads (total)", size, 2, () -> crypto.seal(plain));
        measureParallel("open, 2 threads (total)", size, 2, () -> crypto.open(sealed));
    }

    /** As {@link Crypto} runs it: in 16 KiB slices, so the AES-CTR intrinsic kicks in early. */
    private static void ctr(Cipher cipher, SecretKeySpec key, byte[] iv, byte[] in, byte[] out)
            throws GeneralSecurityException {
        cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
        for (int done = 0; done < in.length; done += 16 * 1024) {
            cipher.update(in, done, Math.min(16 * 1024, in.length - done), out, done);
        }
        cipher.doFinal();
    }

    private interface Work {
        void run() throws GeneralSecurityException;
    }

    private static void measure(String name, int size, Work work) throws GeneralSecurityException {
        runFor(work, 2); // warm-up: let C2 compile the loops and intrinsics kick in
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long[] done = runFor(work, SECONDS);
        long cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
        double bytes = done[0] * (double) size;
        // CPU time makes the figure hold on a machine shared with other work; wall time is the truth
        // when the core is ours alone.
        System.out.printf("%-40s %8.0f MB/s wall %8.0f MB/s per CPU-second%n", name,
                bytes / (done[1] / 1e9) / 1e6, bytes / (cpu / 1e9) / 1e6);
    }

    private static void measureParallel(String name, int size, int threads, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<long[]>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    runFor(work, 1);
                    return runFor(work, SECONDS);
                }));
            }
            double total = 0;
            for (Future<long[]> result : results) {
                long[] done = result.get();
                total += done[0] * (double) size / (done[1] / 1e9) / 1e6;
            }
            System.out.printf("%-40s %8.0f MB/s wall%n", name, total);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Returns {iterations, nanoseconds}. */
    private static long[] runFor(Work work, double seconds) throws GeneralSecurityException {
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        long iterations = 0;
        long now;
        do {
            work.run();
            iterations++;
            now = System.nanoTime();
        } while (now < deadline);
        return new long[] {iterations, now - start};
    }
}
