package app.threefold.chunker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkerTest {

    /** Small sizes so a few MiB of input gives hundreds of cuts. */
    private static final ChunkerParams SMALL = new ChunkerParams(2 * 1024, 8 * 1024, 64 * 1024);

    private static byte[] key(int seed) {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (seed + i);
        }
        return key;
    }

    /** java.util.Random's algorithm is fixed by its specification, so this input never changes. */
    private static byte[] random(long seed, int length) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static List<Integer> cutPoints(Chunker chunker, byte[] data) {
        List<Integer> cuts = new ArrayList<>();
        for (int off = 0; off < data.length; ) {
            off += chunker.cut(data, off, data.length - off);
            cuts.add(off);
        }
        return cuts;
    }

    private static List<byte[]> chunks(Chunker chunker, InputStream in) throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        try (ChunkReader reader = chunker.reader(in)) {
            for (byte[] chunk = reader.next(); chunk != null; chunk = reader.next()) {
                chunks.add(chunk);
            }
        }
        return chunks;
    }

    private static byte[] concat(List<byte[]> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunks.forEach(out::writeBytes);
        return out.toByteArray();
    }

    @Test
    void cutsAFixedInputWithAFixedKeyAtTheRecordedPoints() {
        Chunker chunker = new Chunker(SMALL, key(1));
        List<Integer> cuts = cutPoints(chunker, random(42, 256 * 1024));
        assertThat(cuts).containsExactly(GOLDEN_SMALL);
    }

    @Test
    void cutsAFixedInputWithTheDefaultSizesAtTheRecordedPoints() {
        // Spelled out rather than DEFAULT, so that retuning DEFAULT does not touch this golden list.
        Chunker chunker = new Chunker(new ChunkerParams(32 * 1024, 128 * 1024, 256 * 1024), key(7));
        List<Integer> cuts = cutPoints(chunker, random(4242, 6 * 1024 * 1024));
        assertThat(cuts).containsExactly(GOLDEN_DEFAULT_SHAPE);
    }

    @Test
    void aDifferentKeyMovesTheCutPoints() {
        byte[] data = random(42, 256 * 1024);
        assertThat(cutPoints(new Chunker(SMALL, key(2)), data))
                .isNotEqualTo(cutPoints(new Chunker(SMALL, key(1)), data));
    }

    @Test
    void chunksAverageNearTheRequestedSizeAndRespectMinAndMax() {
        Chunker chunker = new Chunker(SMALL, key(3));
        byte[] data = random(3, 8 * 1024 * 1024);
        List<Integer> cuts = cutPoints(chunker, data);
        int previous = 0;
        for (int i = 0; i < cuts.size(); i++) {
            int length = cuts.get(i) - previous;
            assertThat(length).isLessThanOrEqualTo(SMALL.maxSize());
            if (i < cuts.size() - 1) {
                assertThat(length).isGreaterThanOrEqualTo(SMALL.minSize());
            }
            previous = cuts.get(i);
        }
        // Normalized chunking puts the mean near min + avg; a broken mask lands far from it.
        double mean = (double) data.length / cuts.size();
        assertThat(mean).isBetween(0.75 * SMALL.avgSize(), 1.75 * SMALL.avgSize());
    }

    @Test
    void cutsAtMaxSizeWhenNoBoundaryComesSooner() {
        ChunkerParams tight = new ChunkerParams(1024, 8 * 1024, 9 * 1024);
        Chunker chunker = new Chunker(tight, key(4));
        byte[] data = random(4, 4 * 1024 * 1024);
        List<Integer> cuts = cutPoints(chunker, data);
        long atMax = 0;
        int previous = 0;
        for (int cut : cuts) {
            assertThat(cut - previous).isLessThanOrEqualTo(tight.maxSize());
            atMax += cut - previous == tight.maxSize() ? 1 : 0;
            previous = cut;
        }
        // Past the average the loose mask matches 1 in 2^11 bytes: about half the chunks reach the max.
        assertThat(atMax).isGreaterThan(cuts.size() / 3);
    }

    @Test
    void returnsTheWholeRemainderWhenItIsShorterThanMaxAndHoldsNoCut() {
        Chunker chunker = new Chunker(SMALL, key(5));
        byte[] data = random(5, 100);
        assertThat(chunker.cut(data, 10, 50)).isEqualTo(50);
        assertThat(chunker.cut(data, 0, 0)).isZero();
    }

    @Test
    void cutPointsDoNotDependOnWhereTheBufferStarts() {
        Chunker chunker = new Chunker(SMALL, key(6));
        byte[] data = random(6, 200 * 1024);
        byte[] shifted = new byte[data.length + 777];
        System.arraycopy(data, 0, shifted, 777, data.length);
        assertThat(chunker.cut(shifted, 777, data.length)).isEqualTo(chunker.cut(data, 0, data.length));
    }

    @Test
    void boundariesResynchroniseAfterAnInsertion() throws IOException {
        Chunker chunker = new Chunker(SMALL, key(8));
        byte[] original = random(8, 2 * 1024 * 1024);
        int editAt = 1024 * 1024 + 123;
        byte[] inserted = random(9, 333);
        byte[] edited = new byte[original.length + inserted.length];
        System.arraycopy(original, 0, edited, 0, editAt);
        System.arraycopy(inserted, 0, edited, editAt, inserted.length);
        System.arraycopy(original, editAt, edited, editAt + inserted.length, original.length - editAt);

        List<String> before = hexes(chunks(chunker, new ByteArrayInputStream(original)));
        List<String> after = hexes(chunks(chunker, new ByteArrayInputStream(edited)));

        int commonPrefix = 0;
        while (before.get(commonPrefix).equals(after.get(commonPrefix))) {
            commonPrefix++;
        }
        int commonSuffix = 0;
        while (before.get(before.size() - 1 - commonSuffix).equals(after.get(after.size() - 1 - commonSuffix))) {
            commonSuffix++;
        }
        // Everything before the edit stays; at most a couple of chunks around it change.
        assertThat(concatLength(before, commonPrefix)).isGreaterThan(editAt - SMALL.maxSize());
        assertThat(before.size() - commonPrefix - commonSuffix).isBetween(1, 3);
        assertThat(after.size() - commonPrefix - commonSuffix).isBetween(1, 3);
        assertThat(commonSuffix).isGreaterThan(before.size() / 3);
    }

    private static int concatLength(List<String> hexChunks, int count) {
        return hexChunks.subList(0, count).stream().mapToInt(h -> h.length() / 2).sum();
    }

    private static List<String> hexes(List<byte[]> chunks) {
        return chunks.stream().map(java.util.HexFormat.of()::formatHex).toList();
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 2 * 1024 - 1, 2 * 1024, 2 * 1024 + 1, 8 * 1024, 64 * 1024 - 1, 64 * 1024,
            64 * 1024 + 1, 5 * 1024 * 1024 + 17})
    void readerOutputConcatenatesToTheInput(int size) throws IOException {
        Chunker chunker = new Chunker(SMALL, key(10));
        byte[] data = random(size, size);
        List<byte[]> chunks = chunks(chunker, new ByteArrayInputStream(data));
        assertThat(concat(chunks)).isEqualTo(data);
        assertThat(chunks).allSatisfy(c -> assertThat(c.length).isBetween(1, SMALL.maxSize()));
    }

    @Test
    void readerOutputMatchesCutPointsOnABigStreamDeliveredInDribbles() throws IOException {
        ChunkerParams params = ChunkerParams.forAverage(64 * 1024);
        Chunker chunker = new Chunker(params, key(11));
        byte[] data = random(11, 40 * 1024 * 1024 + 5);
        // A stream that returns odd short reads, as a network stream does.
        InputStream dribbling = new FilterInputStream(new ByteArrayInputStream(data)) {
            private int call;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1 + (call++ * 7919) % 300_000));
            }
        };
        List<byte[]> chunks = chunks(chunker, dribbling);
        assertThat(concat(chunks)).isEqualTo(data);
        List<Integer> ends = new ArrayList<>();
        int end = 0;
        for (byte[] chunk : chunks) {
            end += chunk.length;
            ends.add(end);
        }
        assertThat(ends).isEqualTo(cutPoints(chunker, data));
    }

    @Test
    void readerOfAnEmptyStreamYieldsNoChunks() throws IOException {
        Chunker chunker = new Chunker(ChunkerParams.DEFAULT, key(12));
        try (ChunkReader reader = chunker.reader(InputStream.nullInputStream())) {
            assertThat(reader.next()).isNull();
            assertThat(reader.next()).isNull();
        }
    }

    @Test
    void readerChunksAreIndependentCopies() throws IOException {
        Chunker chunker = new Chunker(SMALL, key(13));
        byte[] data = random(13, 300 * 1024);
        List<byte[]> chunks = chunks(chunker, new ByteArrayInputStream(data));
        Arrays.fill(chunks.get(0), (byte) 0);
        assertThat(Arrays.copyOfRange(data, chunks.get(0).length, data.length))
                .isEqualTo(concat(chunks.subList(1, chunks.size())));
        assertThat(chunks.size()).isGreaterThan(10);
    }

    @Test
    void closingTheReaderClosesTheStream() throws IOException {
        boolean[] closed = {false};
        InputStream in = new ByteArrayInputStream(new byte[10]) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        new Chunker(SMALL, key(14)).reader(in).close();
        assertThat(closed[0]).isTrue();
    }

    @Test
    void rejectsParamsThatCannotWork() {
        assertThatThrownBy(() -> new ChunkerParams(1024, 3000, 16384)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two");
        assertThatThrownBy(() -> new ChunkerParams(4096, 4096, 16384)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minimum");
        assertThatThrownBy(() -> new ChunkerParams(1024, 4096, 4096)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maximum");
        assertThatThrownBy(() -> new ChunkerParams(1024, 4096, 128 * 1024 * 1024))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximum");
        assertThatThrownBy(() -> new Chunker(SMALL, new byte[16])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 bytes");
    }

    // Recorded once from this implementation; a change here re-chunks every repository's data
    // (no corruption, but all deduplication against earlier snapshots is lost).
    private static final Integer[] GOLDEN_SMALL = {9640, 18883, 31380, 44337, 52619, 61448, 71646, 80142, 88356,
        94291, 104101, 113378, 119491, 129314, 137355, 149075, 163908, 176483, 186695, 195639, 204671, 214612, 224363,
        234811, 240001, 248038, 257450, 262144};
    private static final Integer[] GOLDEN_DEFAULT_SHAPE = {135153, 278343, 433556, 602433, 697250, 857660, 1027308,
        1193736, 1326773, 1469767, 1616002, 1650253, 1821933, 1961769, 2093596, 2301498, 2460428, 2568315, 2749796,
        2936839, 3074037, 3231969, 3367928, 3550597, 3703299, 3907103, 4070758, 4211086, 4345679, 4553120, 4712234,
        4851230, 4998590, 5142802, 5210652, 5360750, 5498867, 5629690, 5682527, 5818862, 5951567, 6177535, 6291456};
}
