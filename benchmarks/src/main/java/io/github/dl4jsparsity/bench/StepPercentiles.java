package io.github.dl4jsparsity.bench;

import java.math.BigDecimal;
import java.util.Arrays;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Step-time distribution of the baseline, library and floor networks, stepped in turn as in
 * {@link InterleavedStepBenchmark}, to show where the mean and the median step differ. After a warm-up it records
 * every step's wall time and whether a garbage collection ran during its round (one step of each network). It
 * prints, per network, the mean, percentiles and maximum over all rounds, then over the rounds that are not within
 * {@code after} rounds of a collection, then where the library's slowest 5% of steps fall relative to the last
 * collection. Wall-clock timing in one JVM, so an estimate.
 *
 * <p>Arguments, all optional: minibatch (default 32), coding units (300), seconds measured (60), warm-up seconds
 * (20), rounds excluded after a collection (10).
 */
public final class StepPercentiles {

    private static final double[] PERCENTILES = {0.10, 0.50, 0.75, 0.90, 0.95, 0.99, 0.999};
    /** Upper bounds of the distance bins, in rounds since the last collection. The last bin has no upper bound. */
    private static final int[] DISTANCE_BINS = {0, 2, 10, 50, 200};

    private StepPercentiles() {
    }

    public static void main(String[] args) {
        int minibatch = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int codingUnits = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 60.0;
        double warmupSeconds = args.length > 3 ? Double.parseDouble(args[3]) : 20.0;
        int after = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        ThreadSettings.checkNd4j();

        Autoencoders.Variant[] variants = Autoencoders.Variant.values();
        MultiLayerNetwork[] networks = new MultiLayerNetwork[variants.length];
        for (int i = 0; i < variants.length; i++) {
            networks[i] = Autoencoders.network(variants[i], codingUnits, DataType.FLOAT);
        }
        INDArray input = Autoencoders.input(minibatch, Autoencoders.SEED + minibatch, DataType.FLOAT);
        DataSet data = new DataSet(input, input);

        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        while (System.nanoTime() < warmupEnd) {
            for (MultiLayerNetwork network : networks) {
                network.fit(data);
            }
        }

        int capacity = 1 << 20;
        long[][] nanos = new long[variants.length][];
        for (int i = 0; i < variants.length; i++) {
            nanos[i] = new long[capacity];
        }
        boolean[] collected = new boolean[capacity];
        int rounds = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end && rounds < capacity) {
            long collections = GcCounts.total();
            for (int k = 0; k < variants.length; k++) {
                int index = (rounds + k) % variants.length;
                long start = System.nanoTime();
                networks[index].fit(data);
                nanos[index][rounds] = System.nanoTime() - start;
            }
            collected[rounds] = GcCounts.total() != collections;
            rounds++;
        }

        boolean[] nearCollection = new boolean[rounds];
        int collectionRounds = 0;
        for (int r = 0; r < rounds; r++) {
            if (collected[r]) {
                collectionRounds++;
                Arrays.fill(nearCollection, r, Math.min(rounds, r + after + 1), true);
            }
        }
        System.out.printf("minibatch=%d units=%d rounds=%d roundsWithCollection=%d excludedRounds=%d (within %d "
                + "rounds after a collection)%n", minibatch, codingUnits, rounds, collectionRounds,
                count(nearCollection), after);
        for (boolean excludeNear : new boolean[] {false, true}) {
            System.out.println(excludeNear ? "rounds not near a collection:" : "all rounds:");
            for (int i = 0; i < variants.length; i++) {
                System.out.println("  " + summary(variants[i].name(), nanos[i], rounds,
                        excludeNear ? nearCollection : null));
            }
        }
        printSlowSteps(nanos[Autoencoders.Variant.LIBRARY.ordinal()], collected, rounds);
    }

    /** Returns the mean and the percentiles in milliseconds of the rounds not flagged in {@code skip}. */
    private static String summary(String name, long[] nanos, int rounds, boolean[] skip) {
        long[] selected = new long[rounds];
        int size = 0;
        for (int r = 0; r < rounds; r++) {
            if (skip == null || !skip[r]) {
                selected[size++] = nanos[r];
            }
        }
        long[] sorted = Arrays.copyOf(selected, size);
        Arrays.sort(sorted);
        StringBuilder line = new StringBuilder(String.format("%-8s steps=%d mean=%.3f", name, size,
                Arrays.stream(sorted).average().orElse(Double.NaN) / 1e6));
        for (double p : PERCENTILES) {
            line.append(String.format(" p%s=%.3f", BigDecimal.valueOf(100 * p).stripTrailingZeros().toPlainString(),
                    sorted[(int) (p * (size - 1))] / 1e6));
        }
        return line.append(String.format(" max=%.3f ms", sorted[size - 1] / 1e6)).toString();
    }

    /** Prints how many of the library's slowest 5% of steps fall at each distance from the last collection. */
    private static void printSlowSteps(long[] nanos, boolean[] collected, int rounds) {
        long[] sorted = Arrays.copyOf(nanos, rounds);
        Arrays.sort(sorted);
        long threshold = sorted[(int) (0.95 * (rounds - 1))];
        int[] bins = new int[DISTANCE_BINS.length + 1];
        int lastCollection = -1;
        for (int r = 0; r < rounds; r++) {
            if (collected[r]) {
                lastCollection = r;
            }
            if (nanos[r] < threshold) {
                continue;
            }
            int distance = lastCollection < 0 ? Integer.MAX_VALUE : r - lastCollection;
            int bin = 0;
            while (bin < DISTANCE_BINS.length && distance > DISTANCE_BINS[bin]) {
                bin++;
            }
            bins[bin]++;
        }
        System.out.printf("library steps at or above its 95th percentile (%.3f ms), by rounds since the last "
                + "collection (0, 1-2, 3-10, 11-50, 51-200, more): %s%n", threshold / 1e6, Arrays.toString(bins));
    }

    private static int count(boolean[] flags) {
        int total = 0;
        for (boolean flag : flags) {
            if (flag) {
                total++;
            }
        }
        return total;
    }
}
