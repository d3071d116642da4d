package io.github.dl4jsparsity.penalty;

import java.util.Arrays;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Activations of any supported rank laid out as a matrix of rows [R, n], one row per example and position, so the
 * rank-2 penalty graph can average each unit over every row.
 *
 * <ul>
 *   <li>rank 2 [m, n] (dense layers): R = m, the rows are the activations themselves.</li>
 *   <li>rank 3 [m, n, T] ({@link RNNFormat#NCW}) or [m, T, n] ({@link RNNFormat#NWC}) (recurrent layers,
 *       {@code TimeDistributed}, 1D convolutions): R = m T, row {@code i T + t} contains example i at time step t.</li>
 *   <li>rank 4 [m, c, h, w] ({@link CNN2DFormat#NCHW}) or [m, h, w, c] ({@link CNN2DFormat#NHWC}) (2D
 *       convolutions): the units are the c channels, R = m h w, row {@code (i h + y) w + x} contains example i at
 *       position (y, x).</li>
 * </ul>
 * A mask, if given, assigns each row a weight: a per-example mask (length m, for example [m, 1]) applies to every row
 * of its example, and a per-row mask (length R, for example an RNN feature mask [m, T] or a CNN mask [m, 1, h, w])
 * applies row by row in the order above. DL4J masks contain 1 for a present step and 0 for a padded one.
 */
public final class ActivationRows {

    private final long[] shape;
    /** Axis permutation applied before the reshape to rows, or null when the rows are a plain reshape. */
    private final int[] permutation;
    private final INDArray rows;
    private final INDArray rowMask;

    private ActivationRows(long[] shape, int[] permutation, INDArray rows, INDArray rowMask) {
        this.shape = shape;
        this.permutation = permutation;
        this.rows = rows;
        this.rowMask = rowMask;
    }

    /**
     * Lays out activations as rows [R, n].
     *
     * @param activations activations of rank 2, 3 or 4
     * @param rnnFormat layout of rank-3 activations; null means {@link RNNFormat#NCW}
     * @param cnnFormat layout of rank-4 activations; null means {@link CNN2DFormat#NCHW}
     * @param mask per-example or per-row mask, or null when every row counts fully
     * @return the rows, with one weight per row taken from the mask
     * @throws IllegalArgumentException if the rank is not 2, 3 or 4, or the mask length is neither m nor R
     */
    public static ActivationRows of(INDArray activations, RNNFormat rnnFormat, CNN2DFormat cnnFormat, INDArray mask) {
        long[] shape = activations.shape();
        int[] permutation;
        INDArray rows;
        switch (activations.rank()) {
            case 2 -> {
                permutation = null;
                rows = activations;
            }
            case 3 -> {
                boolean channelsFirst = rnnFormat == null || rnnFormat == RNNFormat.NCW;
                permutation = channelsFirst ? new int[] {0, 2, 1} : null;
                rows = toRows(activations, permutation, channelsFirst ? shape[1] : shape[2]);
            }
            case 4 -> {
                boolean channelsFirst = cnnFormat == null || cnnFormat == CNN2DFormat.NCHW;
                permutation = channelsFirst ? new int[] {0, 2, 3, 1} : null;
                rows = toRows(activations, permutation, channelsFirst ? shape[1] : shape[3]);
            }
            default -> throw new IllegalArgumentException("Unsupported activation rank " + activations.rank()
                    + ": activations have shape " + Arrays.toString(shape) + ", and the sparsity penalty handles "
                    + "rank 2 [minibatch, units], rank 3 [minibatch, units, time] (NCW or NWC) and rank 4 "
                    + "[minibatch, channels, height, width] (NCHW or NHWC)");
        }
        return new ActivationRows(shape, permutation, rows, rowMask(mask, shape[0], rows.size(0), shape));
    }

    private static INDArray toRows(INDArray activations, int[] permutation, long units) {
        INDArray ordered = permutation == null ? activations : activations.permute(permutation);
        return ordered.dup('c').reshape('c', ordered.length() / units, units);
    }

    private static INDArray rowMask(INDArray mask, long examples, long rowCount, long[] shape) {
        if (mask == null) {
            return null;
        }
        INDArray flat = mask.dup('c').reshape('c', 1, mask.length());
        if (mask.length() == rowCount) {
            return flat;
        }
        if (mask.length() == examples) {
            long repeats = rowCount / examples;
            INDArray column = flat.reshape('c', examples, 1);
            return column.repeat(1, repeats).reshape('c', 1, rowCount);
        }
        throw new IllegalArgumentException("Invalid mask shape " + Arrays.toString(mask.shape()) + " for "
                + "activations of shape " + Arrays.toString(shape) + ": a mask needs one value per example ("
                + examples + ") or one per example and position (" + rowCount + ")");
    }

    /** Returns the rows [R, n]; a view of the activations for rank 2, a copy otherwise. */
    public INDArray rows() {
        return rows;
    }

    /** Returns the number of examples m, the activations' first dimension. */
    public long examples() {
        return shape[0];
    }

    /** Returns the number of units n: the features of rank 2 and 3 activations, the channels of rank 4. */
    public long units() {
        return rows.size(1);
    }

    /** Returns the mask weight of each row as [1, R], or null when there is no mask. */
    public INDArray rowMask() {
        return rowMask;
    }

    /** Returns the sum of the row weights: R without a mask, the number of unmasked rows with a 0/1 mask. */
    public double count() {
        return rowMask == null ? rows.size(0) : rowMask.sumNumber().doubleValue();
    }

    /**
     * Returns the example-weights row [1, R] of the penalty graph: {@code mask_r / count} for a mean, or
     * {@code mask_r} for L1's sum (1 in place of {@code mask_r} without a mask).
     *
     * @param sum whether the penalty sums over rows (L1) rather than averaging
     * @param dataType type of the returned row
     * @throws IllegalStateException if every row is masked and a mean is requested, because the mean is undefined
     */
    public INDArray exampleWeights(boolean sum, DataType dataType) {
        double count = count();
        if (!sum && count <= 0.0) {
            throw new IllegalStateException("Cannot average over a fully masked minibatch: every row has mask 0");
        }
        if (rowMask == null) {
            return Nd4j.valueArrayOf(new long[] {1, rows.size(0)}, sum ? 1.0 : 1.0 / count, dataType);
        }
        INDArray weights = rowMask.castTo(dataType);
        return sum ? weights : weights.div(count);
    }

    /**
     * Lays out a gradient with respect to the rows [R, n] in the shape and format of the original activations.
     *
     * @param rowGradient gradient [R, n]
     * @return a new array with the activations' shape
     */
    public INDArray toActivationShape(INDArray rowGradient) {
        if (permutation == null) {
            return rowGradient.reshape('c', shape).dup('c');
        }
        long[] permutedShape = new long[shape.length];
        for (int axis = 0; axis < shape.length; axis++) {
            permutedShape[axis] = shape[permutation[axis]];
        }
        int[] inverse = new int[permutation.length];
        for (int axis = 0; axis < permutation.length; axis++) {
            inverse[permutation[axis]] = axis;
        }
        return rowGradient.reshape('c', permutedShape).permute(inverse).dup('c');
    }
}
