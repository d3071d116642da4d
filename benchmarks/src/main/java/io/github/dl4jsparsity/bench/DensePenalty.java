package io.github.dl4jsparsity.bench;

import io.github.dl4jsparsity.penalty.DenseRowOps;
import io.github.dl4jsparsity.penalty.PenaltyGraph;
import io.github.dl4jsparsity.penalty.PenaltySpec;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The KL penalty of fixed float32 activations [m, n] in (0.01, 0.99), computed as the library's layer does and as
 * the hand-written floor does, for the benchmarks that time the penalty alone.
 */
final class DensePenalty {

    final PenaltyGraph graph;
    final INDArray activations;
    private final long minibatch;
    /** The column mean and the gradient row, allocated once as the layer does. */
    private final INDArray meanRow;
    private final INDArray gradientRow;
    private final DenseRowOps rowOps = new DenseRowOps();

    DensePenalty(int minibatch, int codingUnits) {
        PenaltySpec spec = new PenaltySpec(SparsityPenalty.KL, Autoencoders.TARGET, Autoencoders.WEIGHT,
                Autoencoders.EPSILON, false);
        this.graph = new PenaltyGraph(spec, DataType.FLOAT, codingUnits);
        Nd4j.getRandom().setSeed(Autoencoders.SEED);
        this.activations = Nd4j.rand(DataType.FLOAT, minibatch, codingUnits).muli(0.98).addi(0.01);
        this.minibatch = minibatch;
        this.meanRow = Nd4j.create(DataType.FLOAT, 1, codingUnits);
        this.gradientRow = Nd4j.create(DataType.FLOAT, 1, codingUnits);
    }

    /** Computes the column mean q into the row allocated once, as both layers do, and returns that row. */
    INDArray mean() {
        rowOps.columnMean(activations, meanRow);
        return meanRow;
    }

    /** Runs the layer's steps: the column mean into its row, then the replayed graph into the gradient row. */
    INDArray library() {
        graph.evaluateMeanInto(mean(), 1.0 / minibatch, gradientRow);
        return gradientRow;
    }

    /** Runs the floor's steps: the same column mean, then the hand-written closed form. */
    ClosedFormKl.Result closedForm() {
        return ClosedFormKl.valueAndGradientRow(mean(), minibatch, Autoencoders.TARGET, Autoencoders.WEIGHT,
                Autoencoders.EPSILON);
    }
}
