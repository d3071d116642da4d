package io.github.dl4jsparsity.penalty;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasColMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dger;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sger;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Adds a row to every row of a contiguous matrix in place, as one BLAS rank-one update {@code A += ones row}
 * through the OpenBLAS binding that ND4J's CPU backend calls for its own BLAS operations. Each element becomes
 * {@code a_ij + 1 * row_j}, the same float as {@code a_ij + row_j}. In the timing loop of the benchmarks'
 * {@code RowOpTimings}, libnd4j's {@code add} op took about 3.5 times as long at [256, 2000], in place or into a
 * second array.
 *
 * <p>Only {@link DenseRowOps} loads this class, and only on ND4J's CPU backend.
 */
final class BlasRowAdd {

    private BlasRowAdd() {
    }

    /**
     * Adds {@code row} [1, n] to each row of {@code matrix} [m, n]. The matrix is a contiguous array in 'c' or 'f'
     * order with offset 0 (see {@link DenseRowOps#isContiguous}); the row is a plain array of its data type, FLOAT or
     * DOUBLE, that shares no memory with the matrix, and {@code ones} a plain array of at least m ones of that type.
     */
    static void addInPlace(INDArray matrix, INDArray row, INDArray ones) {
        int rows = (int) matrix.size(0);
        int columns = (int) matrix.size(1);
        boolean rowMajor = matrix.ordering() == 'c';
        int layout = rowMajor ? CblasRowMajor : CblasColMajor;
        int leading = rowMajor ? columns : rows;
        if (matrix.dataType() == DataType.FLOAT) {
            cblas_sger(layout, rows, columns, 1.0f, (FloatPointer) ones.data().addressPointer(), 1,
                    (FloatPointer) row.data().addressPointer(), 1, (FloatPointer) matrix.data().addressPointer(),
                    leading);
        } else {
            cblas_dger(layout, rows, columns, 1.0, (DoublePointer) ones.data().addressPointer(), 1,
                    (DoublePointer) row.data().addressPointer(), 1, (DoublePointer) matrix.data().addressPointer(),
                    leading);
        }
    }
}
