package io.github.dl4jsparsity.penalty;

import java.util.Arrays;
import java.util.Objects;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Sparsity penalties for models written directly in SameDiff, without a DL4J network.
 *
 * <p>{@link #addTo(SameDiff, SDVariable, PenaltySpec)} adds, for activations {@code a} [m, n], the penalty
 * {@code beta * sum_j u(q_j)} with {@code q_j = (1/m) sum_i a_ij}, the mean of unit j over the minibatch axis 0
 * (L1: {@code beta * sum_ij |a_ij|}), as one more loss variable of the graph. SameDiff minimizes the sum of all loss
 * variables, so training, {@code calculateGradients} and the reported loss all include the penalty. The penalty is
 * not divided by m, which matches {@link PenaltyScaling#PER_MINIBATCH} when the data loss is a mean over examples.
 *
 * <pre>{@code
 * SDVariable coding = sd.nn().sigmoid(input.mmul(w).add(b));
 * ...
 * SDVariable penalty = SparsityPenalties.addTo(sd, coding,
 *         new PenaltySpec(SparsityPenalty.KL, 0.1, 1.0, 1e-7, false));
 * }</pre>
 */
public final class SparsityPenalties {

    private SparsityPenalties() {
    }

    /**
     * Adds the penalty of {@code activations} to {@code sd} and registers it as a loss variable, reading the number
     * of units from the variable's static shape. SameDiff records that shape for placeholders and variables, but
     * usually not for op outputs such as a sigmoid. For those, call {@link #addTo(SameDiff, SDVariable, long,
     * PenaltySpec)}.
     *
     * @param sd graph to extend; its existing loss variables are kept
     * @param activations rank-2 activations [m, n] whose static shape gives n; m may be variable (-1)
     * @param spec penalty settings, not validated here (see {@link io.github.dl4jsparsity.conf.SparsityLayer})
     * @return the penalty variable [1, 1]
     * @throws IllegalArgumentException if the static shape is unknown, not rank 2, or has no known n
     */
    public static SDVariable addTo(SameDiff sd, SDVariable activations, PenaltySpec spec) {
        long[] shape = activations.getShape();
        if (shape == null || shape.length != 2 || shape[1] < 1) {
            throw new IllegalArgumentException("Invalid activations shape " + Arrays.toString(shape) + " of variable '"
                    + activations.name() + "': addTo needs rank-2 activations [minibatch, units] with a known number "
                    + "of units; pass the number of units with addTo(sd, activations, units, spec), and reshape "
                    + "rank-3 or rank-4 activations to [rows, units] first");
        }
        return addTo(sd, activations, shape[1], spec);
    }

    /**
     * Adds the penalty of {@code activations} to {@code sd} and registers it as a loss variable.
     *
     * @param sd graph to extend; its existing loss variables are kept
     * @param activations rank-2 activations [m, n]; m may differ between calls
     * @param units number of units n, at least 1
     * @param spec penalty settings, not validated here (see {@link io.github.dl4jsparsity.conf.SparsityLayer})
     * @return the penalty variable [1, 1]
     * @throws IllegalArgumentException if {@code units} is below 1
     */
    public static SDVariable addTo(SameDiff sd, SDVariable activations, long units, PenaltySpec spec) {
        Objects.requireNonNull(sd, "sd");
        Objects.requireNonNull(activations, "activations");
        Objects.requireNonNull(spec, "spec");
        if (units < 1) {
            throw new IllegalArgumentException("Invalid units = " + units + ": the activations need at least 1 unit");
        }
        // Example weights [1, m] built from the activations' shape, so any minibatch size works without a placeholder.
        SDVariable firstColumn = activations.get(SDIndex.all(), SDIndex.interval(0, 1));
        SDVariable onesRow = sd.onesLike(firstColumn).permute(1, 0);
        SDVariable weights = onesRow;
        if (spec.penalty() != SparsityPenalty.L1) {
            SDVariable minibatch = sd.sizeAt(activations, 0).castTo(activations.dataType());
            weights = onesRow.div(minibatch);
        }
        SDVariable penalty = PenaltyGraph.define(sd, activations, weights, units, spec);
        sd.addLossVariable(penalty);
        return penalty;
    }
}
