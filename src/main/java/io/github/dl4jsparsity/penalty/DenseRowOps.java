package io.github.dl4jsparsity.penalty;

import java.util.Arrays;
import java.util.Objects;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The two ND4J ops that a dense layer's penalty adds to a training step besides the penalty graph. The forward pass
 * writes the column mean of the activations [m, n] into a row [1, n]. The backward pass adds a gradient row to each
 * of the m rows of the incoming epsilon.
 *
 * <p>Both run as libnd4j custom ops ({@code reduce_mean} and {@code add}) through {@link OpContext}s that this class
 * builds once, so a call only binds its arrays and executes. On ND4J 1.0.0-M2.1 this costs less than constructing the
 * legacy {@code Mean} and {@code BroadcastAddOp} ops for each call, which do the same arithmetic and give the same
 * values. The tests compare them with zero tolerance; the one difference they found is the sign of a zero, since the
 * mean of a single -0.0 comes out as 0.0. The arrays may live in a DL4J workspace: the contexts keep references
 * to the last arrays bound but read them only while a call runs.
 *
 * <p>An instance is not thread-safe; each layer instance owns its own.
 */
public final class DenseRowOps {

    private final DynamicCustomOp meanOp = DynamicCustomOp.builder("reduce_mean").build();
    private final DynamicCustomOp addOp = DynamicCustomOp.builder("add").build();
    private final OpContext meanContext;
    private final OpContext addContext;

    /** Builds the two op contexts. */
    public DenseRowOps() {
        meanContext = Nd4j.getExecutioner().buildContext();
        // Reduce along dimension 0 and keep it, so the output is [1, n].
        meanContext.setIArguments(0);
        meanContext.setBArguments(true);
        addContext = Nd4j.getExecutioner().buildContext();
    }

    /**
     * Writes the mean of each column of {@code activations} into {@code means}.
     *
     * @param activations dense activations [m, n], m at least 1
     * @param means receives the means: an array [1, n] of the activations' data type
     * @throws IllegalArgumentException if the shapes or data types do not match
     */
    public void columnMean(INDArray activations, INDArray means) {
        Objects.requireNonNull(activations, "activations");
        Objects.requireNonNull(means, "means");
        if (activations.rank() != 2 || activations.size(0) < 1) {
            throw new IllegalArgumentException("Invalid activations shape " + Arrays.toString(activations.shape())
                    + ": expected [m, n] with m >= 1");
        }
        checkRow("means", means, activations);
        meanContext.setInputArray(0, activations);
        meanContext.setOutputArray(0, means);
        Nd4j.getExecutioner().exec(meanOp, meanContext);
    }

    /**
     * Writes {@code epsilon} plus {@code row}, added to each of epsilon's rows, into {@code sum}. Epsilon and the row
     * are not changed.
     *
     * @param epsilon an array [m, n]
     * @param row an array [1, n] of epsilon's data type
     * @param sum receives the result: an array of epsilon's shape and data type, in any order
     * @throws IllegalArgumentException if the shapes or data types do not match
     */
    public void addRow(INDArray epsilon, INDArray row, INDArray sum) {
        Objects.requireNonNull(epsilon, "epsilon");
        Objects.requireNonNull(row, "row");
        Objects.requireNonNull(sum, "sum");
        if (epsilon.rank() != 2) {
            throw new IllegalArgumentException("Invalid epsilon shape " + Arrays.toString(epsilon.shape())
                    + ": expected [m, n]");
        }
        checkRow("row", row, epsilon);
        if (!Arrays.equals(sum.shape(), epsilon.shape()) || sum.dataType() != epsilon.dataType()) {
            throw new IllegalArgumentException("Invalid sum array: shape " + Arrays.toString(sum.shape()) + " and type "
                    + sum.dataType() + ", expected shape " + Arrays.toString(epsilon.shape()) + " and type "
                    + epsilon.dataType());
        }
        addContext.setInputArray(0, epsilon);
        addContext.setInputArray(1, row);
        addContext.setOutputArray(0, sum);
        Nd4j.getExecutioner().exec(addOp, addContext);
    }

    private static void checkRow(String name, INDArray row, INDArray matrix) {
        if (row.rank() != 2 || row.size(0) != 1 || row.size(1) != matrix.size(1)
                || row.dataType() != matrix.dataType()) {
            throw new IllegalArgumentException("Invalid " + name + " array: shape " + Arrays.toString(row.shape())
                    + " and type " + row.dataType() + ", expected shape [1, " + matrix.size(1) + "] and type "
                    + matrix.dataType());
        }
    }
}
