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

        final long r0 = this.r0;
        final long r1 = this.r1;
        long h0 = 0;
        long h1 = 0;
        long h2 = 0;

        int pos = off;
        final int end = off + len;
        final int fullEnd = off + (len & ~15);
        byte[] last = null;
        while (true) {
            long m0;
            long m1;
            long hibit;
            if (pos < fullEnd) {
                m0 = (long) LE64.get(msg, pos);
                m1 = (long) LE64.get(msg, pos + 8);
                hibit = 1;
                pos += 16;
            } else if (pos < end && last == null) {
                // The final partial block is padded with a single 1 byte, then zeros.
                last = new byte[16];
                System.arraycopy(msg, pos, last, 0, end - pos);
                last[end - pos] = 1;
                m0 = (long) LE64.get(last, 0);
                m1 = (long) LE64.get(last, 8);
                hibit = 0;
                pos = end;
            } else {
                break;
            }

            // h += m (+ 2^128 for a full block)
            long t = h0 + m0;
            long c = carry(h0, m0, t);
            h0 = t;
            t = h1 + m1 + c;
            c = carry(h1, m1, t);
            h1 = t;
            h2 += c + hibit;

            // h *= r. h2 stays below 8 and r0, r1 below 2^60, so no 128-bit sum overflows.
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

            long mid0 = b0lo + b1lo;                 // weight 2^64: h1·r0 + h0·r1
            long mid1 = b0hi + b1hi + carry(b0lo, b1lo, mid0);
            long hig0 = c1lo + h2r0;                 // weight 2^128: h1·r1 + h2·r0
            long hig1 = c1hi + carry(c1lo, h2r0, hig0);

            long t0 = a0lo;
            long t1 = a0hi + mid0;
            c = carry(a0hi, mid0, t1);
            long t2 = mid1 + hig0 + c;
            c = carry(mid1, hig0, t2);
            long t3 = hig1 + h2r1 + c;

            // Reduce modulo p = 2^130 - 5: with t = lo + cc·2^130, t ≡ lo + 4·cc + cc.
            // (t2 & ~3, t3) read as a 128-bit number is exactly 4·cc.
            h0 = t0;
            h1 = t1;
            h2 = t2 & 3;
            long cc0 = t2 & ~3L;
            long cc1 = t3;

            t = h0 + cc0;
            c = carry(h0, cc0, t);
            h0 = t;
            t = h1 + cc1 + c;
            c = carry(h1, cc1, t);
            h1 = t;
            h2 += c;

            cc0 = (cc0 >>> 2) | (cc1 << 62);
            cc1 = cc1 >>> 2;
            t = h0 + cc0;
            c = carry(h0, cc0, t);
            h0 = t;
            t = h1 + cc1 + c;
            c = carry(h1, cc1, t);
            h1 = t;
            h2 += c;
        }

        // h < 2^130 + 2^128 < 2p here, so one conditional subtraction of p fully reduces it.
        // g = h + 5 - 2^130; take g when it did not go negative, without branching on h.
        long g0 = h0 + 5;
        long c = carry(h0, 5, g0);
        long g1 = h1 + c;
        c = carry(h1, 0, g1);
        long g2 = h2 + c;
        long mask = -(g2 >>> 2);
        h0 = (h0 & ~mask) | (g0 & mask);
        h1 = (h1 & ~mask) | (g1 & mask);

        // tag = (h + s) mod 2^128
        long s0 = (long) LE64.get(s, sOff);
        long s1 = (long) LE64.get(s, sOff + 8);
        long tag0 = h0 + s0;
        long tag1 = h1 + s1 + carry(h0, s0, tag0);
        LE64.set(out, outOff, tag0);
        LE64.set(out, outOff + 8, tag1);
    }

    /** The carry out of the unsigned addition {@code sum = x + y (+ carry in)}, as 0 or 1. */
    private static long carry(long x, long y, long sum) {
        return ((x & y) | ((x | y) & ~sum)) >>> 63;
    }
}
