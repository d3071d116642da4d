package io.github.dl4jsparsity.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The three training steps of {@link TrainingStepBenchmark} (baseline, library, floor), interleaved step by step in
 * one JVM and timed one by one. JMH times one benchmark method at a time, so variants in separate benchmarks run
 * seconds or minutes apart, and on a shared virtual machine the speed drifts by several percent over that time.
 * Here one operation is one {@code fit} step of each network, in an order that rotates from round to round, so a
 * drift slows all three alike and cancels in their ratio.
 *
 * <p>The primary score is the time of the three steps together. The secondary metrics, per JMH iteration, are the
 * sums of each variant's step times in nanoseconds and the numbers of steps summed, which give each variant's mean
 * step time and the ratios within one iteration ({@code tables.py --interleaved}). A step during which a garbage
 * collection ran is left out of those sums and counted in {@code gcSteps}: one pause of the young generation takes
 * about 100 ms here, 30 times a small step, and which step it lands in depends on all three networks' allocations.
 * The bytes each variant allocates on the Java heap per step are summed as well, so the cost of collections shows
 * as allocation. The median step time of each variant, over every step of the iteration, is the cost of a typical
 * step without the pauses and the slow steps that follow them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 5)
@Measurement(iterations = 10, time = 5)
@Fork(value = 2, jvmArgsAppend = {"-Xmx4g", "-Xms4g"})
public class InterleavedStepBenchmark {

    private static final Autoencoders.Variant[] VARIANTS = Autoencoders.Variant.values();

    @Param({"32", "256"})
    public int minibatch;

    @Param({"300", "2000"})
    public int codingUnits;

    private final MultiLayerNetwork[] networks = new MultiLayerNetwork[VARIANTS.length];
    private DataSet data;
    private int round;
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * Per-iteration sums and medians. JMH resets the public fields before each iteration, and the setup below clears
     * the step times kept for the medians.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class StepSums {
        public long baselineNanos;
        public long libraryNanos;
        public long floorNanos;
        public long baselineSteps;
        public long librarySteps;
        public long floorSteps;
        public long baselineBytes;
        public long libraryBytes;
        public long floorBytes;
        public long gcSteps;
        /** Step times of this iteration per variant, GC steps included, in nanoseconds. */
        private final long[][] times = new long[VARIANTS.length][1024];
        private final int[] counts = new int[VARIANTS.length];

        @Setup(Level.Iteration)
        public void clearTimes() {
            Arrays.fill(counts, 0);
        }

        /** Returns the median step time of the baseline in this iteration, in nanoseconds. */
        public long baselineMedianNanos() {
            return median(Autoencoders.Variant.BASELINE);
        }

        /** Returns the median step time of the library in this iteration, in nanoseconds. */
        public long libraryMedianNanos() {
            return median(Autoencoders.Variant.LIBRARY);
        }

        /** Returns the median step time of the floor in this iteration, in nanoseconds. */
        public long floorMedianNanos() {
            return median(Autoencoders.Variant.FLOOR);
        }

        private long median(Autoencoders.Variant variant) {
            int count = counts[variant.ordinal()];
            if (count == 0) {
                return 0;
            }
            long[] sorted = Arrays.copyOf(times[variant.ordinal()], count);
            Arrays.sort(sorted);
            return sorted[count / 2];
        }

        void add(Autoencoders.Variant variant, long nanos, long bytes, boolean collected) {
            int index = variant.ordinal();
            if (counts[index] == times[index].length) {
                times[index] = Arrays.copyOf(times[index], 2 * counts[index]);
            }
            times[index][counts[index]++] = nanos;
            switch (variant) {
                case BASELINE -> baselineBytes += bytes;
                case LIBRARY -> libraryBytes += bytes;
                case FLOOR -> floorBytes += bytes;
            }
            if (collected) {
                gcSteps++;
                return;
            }
            switch (variant) {
                case BASELINE -> {
                    baselineNanos += nanos;
                    baselineSteps++;
                }
                case LIBRARY -> {
                    libraryNanos += nanos;
                    librarySteps++;
                }
                case FLOOR -> {
                    floorNanos += nanos;
                    floorSteps++;
                }
            }
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        ThreadSettings.checkNd4j();
        for (int i = 0; i < VARIANTS.length; i++) {
            networks[i] = Autoencoders.network(VARIANTS[i], codingUnits, DataType.FLOAT);
        }
        INDArray input = Autoencoders.input(minibatch, Autoencoders.SEED + minibatch, DataType.FLOAT);
        data = new DataSet(input, input);
    }

    @Benchmark
    public double fitEach(StepSums sums) {
        double scores = 0.0;
        for (int k = 0; k < VARIANTS.length; k++) {
            int index = (round + k) % VARIANTS.length;
            long collections = GcCounts.total();
            long bytes = threads.getCurrentThreadAllocatedBytes();
            long start = System.nanoTime();
            networks[index].fit(data);
            long nanos = System.nanoTime() - start;
            bytes = threads.getCurrentThreadAllocatedBytes() - bytes;
            sums.add(VARIANTS[index], nanos, bytes, GcCounts.total() != collections);
            scores += networks[index].score();
        }
        round++;
        return scores;
    }
}
