package io.github.dl4jsparsity.bench;

import java.util.Arrays;

import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Counts the native allocations per training step that wait for the Java garbage collector to be freed. ND4J
 * allocates part of its native memory through JavaCPP pointers with a deallocator; JavaCPP counts such a pointer in
 * {@link Pointer#totalCount()} from its allocation until it is freed, either explicitly or after a collection has
 * found it unreachable. Over a run of steps with no collection, the growth of that count per step is therefore the
 * number of pointers a step leaves for the collector, and the growth of {@link Pointer#totalBytes()} their size.
 *
 * <p>For each network (baseline, library, floor), in one JVM one after the other: a warm-up, then windows of steps.
 * Each window starts after {@code System.gc()} and after JavaCPP has freed the pointers that collection found: the
 * JVM queues them on its own thread after the collection returns, so the count is polled every 20 ms until it is
 * unchanged for three polls. A window during which a collection ran is discarded. Prints the median over the kept
 * windows.
 *
 * <p>Arguments, all optional: minibatch (default 32), coding units (300), steps per window (20), windows (15),
 * warm-up steps (300).
 */
public final class PointerCounts {

    private static final String USAGE = "Usage: PointerCounts [minibatch] [coding units] [steps per window] [windows] "
            + "[warm-up steps], each a positive integer (defaults 32 300 20 15 300)";
    private static final String[] NAMES = {"minibatch", "coding units", "steps per window", "windows", "warm-up steps"};
    private static final int[] DEFAULTS = {32, 300, 20, 15, 300};

    private PointerCounts() {
    }

    public static void main(String[] args) {
        if (args.length > NAMES.length) {
            System.err.println("Too many arguments: " + args.length + ". " + USAGE);
            System.exit(2);
        }
        int[] values = DEFAULTS.clone();
        for (int i = 0; i < args.length; i++) {
            values[i] = positive(NAMES[i], args[i]);
        }
        int minibatch = values[0];
        int codingUnits = values[1];
        int window = values[2];
        int windows = values[3];
        int warmup = values[4];
        ThreadSettings.checkNd4j();

        INDArray input = Autoencoders.input(minibatch, Autoencoders.SEED + minibatch, DataType.FLOAT);
        DataSet data = new DataSet(input, input);
        System.out.printf("minibatch=%d units=%d stepsPerWindow=%d windows=%d%n", minibatch, codingUnits, window,
                windows);
        System.out.println("variant,keptWindows,pointersPerStep,bytesPerStep");
        for (Autoencoders.Variant variant : Autoencoders.Variant.values()) {
            MultiLayerNetwork network = Autoencoders.network(variant, codingUnits, DataType.FLOAT);
            for (int i = 0; i < warmup; i++) {
                network.fit(data);
            }
            System.out.println(countWindows(variant, network, data, window, windows));
        }
    }

    /** Steps the network over the windows and returns its CSV line: clean windows, pointers and bytes per step. */
    private static String countWindows(Autoencoders.Variant variant, MultiLayerNetwork network, DataSet data,
            int window, int windows) {
        double[] counts = new double[windows];
        double[] bytes = new double[windows];
        int cleanWindows = 0;
        for (int w = 0; w < windows; w++) {
            collectAndSettle();
            long collections = GcCounts.total();
            long count = Pointer.totalCount();
            long size = Pointer.totalBytes();
            for (int i = 0; i < window; i++) {
                network.fit(data);
            }
            if (GcCounts.total() == collections) {
                counts[cleanWindows] = (Pointer.totalCount() - count) / (double) window;
                bytes[cleanWindows] = (Pointer.totalBytes() - size) / (double) window;
                cleanWindows++;
            }
        }
        if (cleanWindows == 0) {
            return variant + ",0,,";
        }
        return String.format("%s,%d,%.2f,%.1f", variant, cleanWindows, median(counts, cleanWindows),
                median(bytes, cleanWindows));
    }

    /** Returns the argument as a positive int, or prints the usage and exits with code 2. */
    private static int positive(String name, String text) {
        try {
            int value = Integer.parseInt(text);
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Reported below with the same message as a number out of range.
        }
        System.err.println("Invalid " + name + " '" + text + "': expected a positive integer. " + USAGE);
        System.exit(2);
        return 0;
    }

    /** Runs a collection and waits, at most 5 s, until JavaCPP's pointer count is unchanged for three polls. */
    private static void collectAndSettle() {
        System.gc();
        long previous = -1;
        int unchanged = 0;
        for (int poll = 0; poll < 250 && unchanged < 3; poll++) {
            Pointer.deallocateReferences();
            long count = Pointer.totalCount();
            unchanged = count == previous ? unchanged + 1 : 0;
            previous = count;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for JavaCPP to free pointers", e);
            }
        }
        if (unchanged < 3) {
            System.err.println("JavaCPP's pointer count still changed after 5 s; the next window may be off");
        }
    }

    private static double median(double[] values, int size) {
        double[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        return size % 2 == 1 ? sorted[size / 2] : (sorted[size / 2 - 1] + sorted[size / 2]) / 2;
    }
}
