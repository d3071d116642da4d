package io.github.dl4jsparsity.bench;

import io.github.dl4jsparsity.penalty.DenseRowOps;
import io.github.dl4jsparsity.penalty.PenaltyGraph;
import io.github.dl4jsparsity.penalty.PenaltySpec;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times each op of the dense path's penalty on its own, in a loop over the same float32 arrays: the column mean as
 * ND4J's legacy {@code Mean} op, as {@code reduce_mean} through an op context, and as {@link DenseRowOps} takes it
 * (one OpenBLAS product on the CPU backend); the backward add as the legacy {@code BroadcastAddOp} and as
 * {@link DenseRowOps#addRow}, into a second array and in place; and the replayed penalty ops
 * ({@link PenaltyGraph#evaluateMeanInto}). These are wall-clock loops in one JVM, so estimates; they show which op
 * dominates, not a step's cost.
 *
 * <p>Arguments, all optional: calls per timing (default 2000), rounds (3). Prints one CSV line per shape and round,
 * in microseconds per call.
 */
public final class RowOpTimings {

    private static final int[][] SHAPES = {{32, 300}, {32, 2000}, {256, 300}, {256, 2000}};

    private RowOpTimings() {
    }

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        ThreadSettings.checkNd4j();
        System.out.println("minibatch,units,round,legacyMean,reduceMeanContext,denseRowOpsMean,legacyBroadcastAdd,"
                + "denseRowOpsAdd,denseRowOpsAddInPlace,replayedPenalty");
        for (int[] shape : SHAPES) {
            timeShape(shape[0], shape[1], calls, rounds);
        }
    }

    private static void timeShape(int minibatch, int units, int calls, int rounds) {
        Nd4j.getRandom().setSeed(Autoencoders.SEED);
        INDArray activations = Nd4j.rand(DataType.FLOAT, minibatch, units).muli(0.98).addi(0.01);
        INDArray epsilon = Nd4j.rand(DataType.FLOAT, minibatch, units);
        INDArray sum = Nd4j.create(DataType.FLOAT, minibatch, units);
        INDArray means = Nd4j.create(DataType.FLOAT, 1, units);
        INDArray gradient = Nd4j.create(DataType.FLOAT, 1, units);
        DenseRowOps rowOps = new DenseRowOps();
        PenaltyGraph graph = new PenaltyGraph(new PenaltySpec(SparsityPenalty.KL, Autoencoders.TARGET,
                Autoencoders.WEIGHT, Autoencoders.EPSILON, false), DataType.FLOAT, units);

        DynamicCustomOp reduceMean = DynamicCustomOp.builder("reduce_mean").build();
        OpContext context = Nd4j.getExecutioner().buildContext();
        context.setIArguments(0);
        context.setBArguments(true);
        context.setInputArray(0, activations);
        context.setOutputArray(0, means);

        for (int round = 1; round <= rounds; round++) {
            double legacyMean = time(calls, () -> Nd4j.getExecutioner().exec(new Mean(activations, means, true, 0)));
            double contextMean = time(calls, () -> Nd4j.getExecutioner().exec(reduceMean, context));
            double rowOpsMean = time(calls, () -> rowOps.columnMean(activations, means));
            double legacyAdd = time(calls, () -> Nd4j.getExecutioner().exec(
                    new BroadcastAddOp(epsilon, means, sum, 1)));
            double rowOpsAdd = time(calls, () -> rowOps.addRow(epsilon, means, sum));
            // Into epsilon itself, as the layer adds; the values drift by the row each call, which the time ignores.
            double rowOpsAddInPlace = time(calls, () -> rowOps.addRow(epsilon, means, epsilon));
            double replay = time(calls, () -> graph.evaluateMeanInto(means, 1.0 / minibatch, gradient));
            System.out.printf("%d,%d,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f%n", minibatch, units, round, legacyMean,
                    contextMean, rowOpsMean, legacyAdd, rowOpsAdd, rowOpsAddInPlace, replay);
        }
    }

    /** Runs the call a quarter of {@code calls} times to warm up, then returns its mean time over {@code calls}. */
    private static double time(int calls, Runnable call) {
        for (int i = 0; i < calls / 4; i++) {
            call.run();
        }
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            call.run();
        }
        return (System.nanoTime() - start) / 1e3 / calls;
    }
}
