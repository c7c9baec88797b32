package app.threefold.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Poly1305 one-time authenticator (RFC 8439, section 2.5) for a fixed {@code r}; the
 * caller supplies the 16-byte {@code s} per message (restic: {@code s = AES-128_k(nonce)}).
 *
 * <p>Why our own: every stored byte is MACed, and BouncyCastle's 26-bit-limb version runs at a
 * fraction of AES-CTR's speed here. This one keeps the accumulator in 64-bit limbs
 * {@code h = h0 + h1·2^64 + h2·2^128} and multiplies with 64×64→128-bit products
 * ({@link Math#unsignedMultiplyHigh}, a JIT intrinsic), four full products per 16-byte block.
 * Instances are immutable and thread-safe.
 */
final class Poly1305 {

    static final int KEY_SIZE = 32;
    static final int TAG_SIZE = 16;

    private static final VarHandle LE64 =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    // Clamping r (RFC 8439) clears the top 4 bits of every 32-bit word and the low 2 bits of
    // the upper three words; the cleared low bits of r1 are what lets the reduction below
    // fold 2^130 back in with a shift instead of a multiplication.
    private static final long CLAMP_R0 = 0x0FFFFFFC0FFFFFFFL;
    private static final long CLAMP_R1 = 0x0FFFFFFC0FFFFFFCL;

    private final long r0;
    private final long r1;

    /** Uses the 16 bytes at {@code r[off..off+16)} as r; they are clamped here. */
    Poly1305(byte[] r, int off) {
        this.r0 = (long) LE64.get(r, off) & CLAMP_R0;
        this.r1 = (long) LE64.get(r, off + 8) & CLAMP_R1;
    }

    /** The plain RFC 8439 construction: a 32-byte one-time key {@code r || s}. */
    static void mac(byte[] key, byte[] msg, int off, int len, byte[] out, int outOff) {
        if (key.length != KEY_SIZE) {
            throw new IllegalArgumentException("a Poly1305 key has 32 bytes, not " + key.length);
        }
        new Poly1305(key, 0).tag(msg, off, len, key, 16, out, outOff);
    }

    /** Writes the 16-byte tag of {@code msg[off..off+len)} under (r, s) to {@code out[outOff..]}. */
    void tag(byte[] msg, int off, int len, byte[] s, int sOff, byte[] out, int outOff) {
        java.util.Objects.checkFromIndexSize(off, len, msg.length);
        java.util.Objects.checkFromIndexSize(sOff, 16, s.length);
        java.util.Objects.checkFromIndexSize(outOff, TAG_SIZE, out.length);

        long[] h = new long[3];
        int full = len & ~15;
        absorb(h, msg, off, off + full, 1);
        if (full < len) {
            // The final partial block is padded with a single 1 byte, then zeros, and gets no 2^128.
            byte[] last = new byte[16];
            System.arraycopy(msg, off + full, last, 0, len - full);
            last[len - full] = 1;
            absorb(h, last, 0, 16, 0);
        }
        long h0 = h[0];
        long h1 = h[1];
        long h2 = h[2];

        // h < 2^130 + 2^128 < 2p here, so one conditional subtraction of p fully reduces it.
        // g = h + 5 - 2^130; take g when it did not go negative, without branching on h.
        long g0 = h0 + 5;
        long g1 = h1 + carry(g0, 5);
        long g2 = h2 + carry(g1, h1);
        long mask = -(g2 >>> 2);
        h0 = (h0 & ~mask) | (g0 & mask);
        h1 = (h1 & ~mask) | (g1 & mask);

        // tag = (h + s) mod 2^128
        long s0 = (long) LE64.get(s, sOff);
        long s1 = (long) LE64.get(s, sOff + 8);
        long tag0 = h0 + s0;
        long tag1 = h1 + s1 + carry(tag0, s0);
        LE64.set(out, outOff, tag0);
        LE64.set(out, outOff + 8, tag1);
    }

    /** h = (h + m + hibit·2^128)·r mod p (partially reduced) for each 16-byte block m in msg[pos..end). */
    private void absorb(long[] h, byte[] msg, int pos, int end, long hibit) {
        final long r0 = this.r0;
        final long r1 = this.r1;
        long h0 = h[0];
        long h1 = h[1];
        long h2 = h[2];
        for (; pos < end; pos += 16) {
            long m0 = (long) LE64.get(msg, pos);
            long m1 = (long) LE64.get(msg, pos + 8);

            // h += m
            h0 += m0;
            long c = carry(h0, m0);
            long t = h1 + m1;
            long c1 = carry(t, m1);
            h1 = t + c;
            h2 += (c1 | carry(h1, t)) + hibit;

            // h·r as t0 + t1·2^64 + t2·2^128 + t3·2^192. h2 stays below 8 and r0, r1 below
            // 2^60, so every partial sum fits its 128 bits.
            long a0lo = h0 * r0;
            long a0hi = Math.unsignedMultiplyHigh(h0, r0);
            long b0lo = h1 * r0;
            long b0hi = Math.unsignedMultiplyHigh(h1, r0);
            long b1lo = h0 * r1;
            long b1hi = Math.unsignedMultiplyHigh(h0, r1);
            long c1lo = h1 * r1;
            long c1hi = Math.unsignedMultiplyHigh(h1, r1);
            long h2r0 = h2 * r0;
            long h2r1 = h2 * r1;

            long mid0 = b0lo + b1lo;                              // weight 2^64: h1·r0 + h0·r1
            long mid1 = b0hi + b1hi + carry(mid0, b0lo);
            long hig0 = c1lo + h2r0;                              // weight 2^128: h1·r1 + h2·r0
            long hig1 = c1hi + carry(hig0, c1lo);

            long t0 = a0lo;
            long t1 = a0hi + mid0;
            long k = carry(t1, mid0);
            long t2a = mid1 + hig0;
            long k2 = carry(t2a, hig0);
            long t2 = t2a + k;
            k2 |= carry(t2, t2a);
            long t3 = hig1 + h2r1 + k2;

            // Reduce modulo p = 2^130 - 5: with t = lo + cc·2^130, t ≡ lo + 4·cc + cc.
            // (t2 & ~3, t3) read as a 128-bit number is exactly 4·cc; shifted by 2 it is cc.
            long q0 = t2 & ~3L;
            long q1 = t3;
            long cc0 = (q0 >>> 2) | (q1 << 62);
            long cc1 = q1 >>> 2;
            long u0 = q0 + cc0;                                   // u = 5·cc < 2^128 + 2^126
            long uc = carry(u0, cc0);
            long u1a = q1 + cc1;
            long u2 = carry(u1a, cc1);
            long u1 = u1a + uc;
            u2 |= carry(u1, u1a);

            h0 = t0 + u0;
            c = carry(h0, u0);
            t = t1 + u1;
            c1 = carry(t, u1);
            h1 = t + c;
            h2 = (t2 & 3) + u2 + (c1 | carry(h1, t));
        }
        h[0] = h0;
        h[1] = h1;
        h[2] = h2;
    }

    /** The carry out of the unsigned addition {@code sum = addend + other}, as 0 or 1. */
    private static long carry(long sum, long addend) {
        return Long.compareUnsigned(sum, addend) < 0 ? 1 : 0;
    }
}
