package io.github.dl4jsparsity.bench;

import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains the autoencoder with the library's KL wrapper for many steps on one fixed minibatch and prints JavaCPP's
 * off-heap counters and the JVM heap in use after a GC, to show whether the penalty path leaks memory.
 *
 * <p>Arguments, all optional: iterations (default 10000), report interval (1000), minibatch (32), coding units
 * (300), variant (LIBRARY; BASELINE or FLOOR for comparison).
 */
public final class MemoryCheck {

    private static final long MIB = 1024L * 1024L;

    private MemoryCheck() {
    }

    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int interval = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int minibatch = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int codingUnits = args.length > 3 ? Integer.parseInt(args[3]) : 300;
        Autoencoders.Variant variant = args.length > 4 ? Autoencoders.Variant.valueOf(args[4])
                : Autoencoders.Variant.LIBRARY;

        MultiLayerNetwork network = Autoencoders.network(variant, codingUnits, DataType.FLOAT);
        INDArray input = Autoencoders.input(minibatch, Autoencoders.SEED, DataType.FLOAT);
        DataSet data = new DataSet(input, input);
        System.out.printf("variant=%s minibatch=%d codingUnits=%d iterations=%d maxPhysicalBytes=%d MiB "
                + "maxBytes=%d MiB%n", variant, minibatch, codingUnits, iterations,
                Pointer.maxPhysicalBytes() / MIB, Pointer.maxBytes() / MIB);
        System.out.println("iteration,score,javacppTotalMiB,physicalMiB,heapUsedAfterGcMiB,nd4jCachedMiB,seconds");
        long start = System.nanoTime();
        report(0, Double.NaN, start);
        for (int i = 1; i <= iterations; i++) {
            network.fit(data);
            if (i % interval == 0 || i == iterations) {
                report(i, network.score(), start);
            }
        }
    }

    private static void report(int iteration, double score, long start) {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        long heapUsed = runtime.totalMemory() - runtime.freeMemory();
        long cached = Nd4j.getMemoryManager().allocatedMemory(0);
        System.out.printf("%d,%.4f,%.1f,%.1f,%.1f,%.1f,%.1f%n", iteration, score,
                Pointer.totalBytes() / (double) MIB, Pointer.physicalBytes() / (double) MIB,
                heapUsed / (double) MIB, cached / (double) MIB, (System.nanoTime() - start) / 1e9);
    }
}
