package io.github.dl4jsparsity.penalty;

import java.util.Arrays;
import java.util.Objects;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The two ND4J ops that a dense layer's penalty adds to a training step besides the penalty graph. The forward pass
 * writes the column mean of the activations [m, n] into a row [1, n]. The backward pass adds a gradient row to each
 * of the m rows of the incoming epsilon.
 *
 * <p>On ND4J's CPU backend, the column mean of a plain row-major matrix is one BLAS matrix-vector product (see
 * {@link BlasColumnMean}). libnd4j's reduction along dimension 0 reads the columns with a stride of n, which made it
 * the largest part of the penalty's cost at minibatch 256. Other layouts and backends take libnd4j's
 * {@code reduce_mean} op. The broadcast add is libnd4j's {@code add} op, except that an add in place into a
 * contiguous float or double matrix is one BLAS rank-one update (see {@link BlasRowAdd}). The libnd4j ops run
 * through {@link OpContext}s that this class builds once, so a call only binds its arrays and executes. On ND4J
 * 1.0.0-M2.1 this costs less than constructing the legacy {@code Mean} and {@code BroadcastAddOp} ops for each call.
 * The tests compare both adds with the legacy add with zero tolerance (except that a zero may change sign), the
 * {@code reduce_mean} path with the legacy mean likewise, and the BLAS mean within 1e-6 (float32) or 1e-15 (float64)
 * relative, since its summation order differs.
 * The arrays may live in a DL4J workspace. The contexts keep references to the last arrays bound but read them only
 * while a call runs.
 *
 * <p>An instance is not thread-safe, so each layer instance owns its own.
 */
public final class DenseRowOps {

    private static final String CPU_BACKEND = "org.nd4j.linalg.cpu.nativecpu.CpuBackend";

    private final DynamicCustomOp meanOp = DynamicCustomOp.builder("reduce_mean").build();
    private final DynamicCustomOp addOp = DynamicCustomOp.builder("add").build();
    private final OpContext meanContext;
    private final OpContext addContext;
    /** Whether the column mean and the add in place go through OpenBLAS: true on ND4J's CPU backend. */
    private final boolean blas;
    /**
     * Ones for the BLAS column mean and add, outside any workspace. BLAS reads the first m, so the array grows to the
     * largest minibatch seen and is replaced only when it is too short or of another data type.
     */
    private INDArray ones;

    /** Builds the two op contexts. */
    public DenseRowOps() {
        blas = onCpuBackend();
        meanContext = Nd4j.getExecutioner().buildContext();
        // Reduce along dimension 0 and keep it, so the output is [1, n].
        meanContext.setIArguments(0);
        meanContext.setBArguments(true);
        addContext = Nd4j.getExecutioner().buildContext();
    }

    /** Returns whether ND4J runs on its CPU backend, where an array's data lies in host memory that Java may read. */
    static boolean onCpuBackend() {
        return CPU_BACKEND.equals(Nd4j.getBackend().getClass().getName());
    }

    /**
     * Writes the mean of each column of {@code activations} into {@code means}.
     *
     * @param activations dense activations [m, n] of a floating-point type, m at least 1
     * @param means receives the means: an array [1, n] of the activations' data type that shares no data buffer
     *        with them
     * @throws IllegalArgumentException if the shapes or data types do not match, or the two arrays share memory
     */
    public void columnMean(INDArray activations, INDArray means) {
        Objects.requireNonNull(activations, "activations");
        Objects.requireNonNull(means, "means");
        if (activations.rank() != 2 || activations.size(0) < 1) {
            throw new IllegalArgumentException("Invalid activations shape " + Arrays.toString(activations.shape())
                    + ": expected [m, n] with m >= 1");
        }
        if (!activations.dataType().isFPType()) {
            throw new IllegalArgumentException("Invalid activations type " + activations.dataType()
                    + ": expected a floating-point type (FLOAT, DOUBLE, HALF or BFLOAT16)");
        }
        checkRow("means", means, activations);
        if (shareMemory(activations, means)) {
            // The BLAS product clears its output before it reads the input, so an overlap gives wrong means.
            throw new IllegalArgumentException("Invalid means array: it shares a data buffer with the activations, "
                    + "pass an array of its own");
        }
        if (usesBlas(activations) && isPlain(means)) {
            BlasColumnMean.columnMean(activations, ones(activations.size(0), activations.dataType()), means);
            return;
        }
        meanContext.setInputArray(0, activations);
        meanContext.setOutputArray(0, means);
        Nd4j.getExecutioner().exec(meanOp, meanContext);
    }

    /**
     * Writes {@code epsilon} plus {@code row}, added to each of epsilon's rows, into {@code sum}. The row is not
     * changed, and epsilon only when it is {@code sum}.
     *
     * @param epsilon an array [m, n]
     * @param row an array [1, n] of epsilon's data type
     * @param sum receives the result: an array of epsilon's shape and data type, in any order, or epsilon itself
     *        to add in place
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
        if (sum == epsilon && addsWithBlas(epsilon, row)) {
            BlasRowAdd.addInPlace(epsilon, row, ones(epsilon.size(0), epsilon.dataType()));
            return;
        }
        addContext.setInputArray(0, epsilon);
        addContext.setInputArray(1, row);
        addContext.setOutputArray(0, sum);
        Nd4j.getExecutioner().exec(addOp, addContext);
    }

    /**
     * Returns whether the column mean of {@code activations} goes through OpenBLAS rather than {@code reduce_mean},
     * for a means array that is plain.
     */
    boolean usesBlas(INDArray activations) {
        return blas && isPlain(activations)
                && (activations.dataType() == DataType.FLOAT || activations.dataType() == DataType.DOUBLE);
    }

    /**
     * Returns whether a non-empty rank-2 array's element i is element i of its data buffer, in row-major order, with
     * sizes that fit BLAS's int arguments: an array of its own, not a view.
     */
    static boolean isPlain(INDArray array) {
        return array.rank() == 2 && array.length() > 0 && array.ordering() == 'c' && array.offset() == 0
                && array.elementWiseStride() == 1
                && array.data().length() == array.length() && array.size(0) <= Integer.MAX_VALUE
                && array.size(1) <= Integer.MAX_VALUE;
    }

    /**
     * Returns whether {@link #addRow} adds {@code row} into {@code epsilon} in place through OpenBLAS, for arrays that
     * {@code addRow} accepts.
     */
    boolean addsWithBlas(INDArray epsilon, INDArray row) {
        return blas && isContiguous(epsilon) && isPlain(row) && !shareMemory(epsilon, row)
                && (row.dataType() == DataType.FLOAT || row.dataType() == DataType.DOUBLE);
    }

    /**
     * Returns whether a rank-2 array fills its whole data buffer in 'c' or 'f' order without gaps, with sizes that fit
     * BLAS's int arguments: a plain array or a transpose of one.
     */
    static boolean isContiguous(INDArray array) {
        if (array.rank() != 2 || array.length() == 0 || array.offset() != 0 || array.elementWiseStride() != 1
                || array.data().length() != array.length() || array.size(0) > Integer.MAX_VALUE
                || array.size(1) > Integer.MAX_VALUE) {
            return false;
        }
        // The stride of a dimension of size 1 is never used, and ND4J may give such a dimension any stride.
        long rows = array.size(0);
        long columns = array.size(1);
        long[] strides = array.stride();
        if (array.ordering() == 'c') {
            return (columns == 1 || strides[1] == 1) && (rows == 1 || strides[0] == columns);
        }
        return array.ordering() == 'f' && (rows == 1 || strides[0] == 1) && (columns == 1 || strides[1] == rows);
    }

    /** Returns whether the data buffers of two non-empty arrays overlap in memory. */
    private static boolean shareMemory(INDArray first, INDArray second) {
        if (first.isEmpty() || second.isEmpty()) {
            return false;
        }
        long firstStart = first.data().address();
        long secondStart = second.data().address();
        long firstEnd = firstStart + first.data().length() * first.data().getElementSize();
        long secondEnd = secondStart + second.data().length() * second.data().getElementSize();
        return firstStart < secondEnd && secondStart < firstEnd;
    }

    private INDArray ones(long count, DataType type) {
        if (ones == null || ones.length() < count || ones.dataType() != type) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                ones = Nd4j.ones(type, 1, count);
            }
        }
        return ones;
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
