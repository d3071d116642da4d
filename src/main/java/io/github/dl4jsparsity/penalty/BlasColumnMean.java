package io.github.dl4jsparsity.penalty;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemv;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemv;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Column mean of a plain row-major matrix as one BLAS matrix-vector product, {@code means = (1/m) ones^T A}, through
 * the OpenBLAS binding that ND4J's CPU backend itself calls for its BLAS operations. OpenBLAS streams the rows of A,
 * where libnd4j's reduction along dimension 0 reads each column with a stride of n elements. On the 2-vCPU AMD
 * machine of docs/benchmarks.md, the product took about 27 µs for [256, 2000] float32 activations, against about 370 µs for
 * {@code reduce_mean} (timing loops of the benchmarks' {@code RowOpTimings}).
 *
 * <p>Only {@link DenseRowOps} loads this class, and only on ND4J's CPU backend, so another backend never needs the
 * OpenBLAS classes.
 */
final class BlasColumnMean {

    private BlasColumnMean() {
    }

    /**
     * Writes the column means of {@code matrix} [m, n] into {@code means} [1, n]. Both must be plain arrays of one
     * data type, FLOAT or DOUBLE (see {@link DenseRowOps#isPlain}), and {@code ones} a plain array of at least m
     * ones of that type. The product's summation order differs from libnd4j's reduction, so the means can differ from
     * {@code reduce_mean}'s in the last bits.
     */
    static void columnMean(INDArray matrix, INDArray ones, INDArray means) {
        int rows = (int) matrix.size(0);
        int columns = (int) matrix.size(1);
        double scale = 1.0 / rows;
        if (matrix.dataType() == DataType.FLOAT) {
            cblas_sgemv(CblasRowMajor, CblasTrans, rows, columns, (float) scale,
                    (FloatPointer) matrix.data().addressPointer(), columns,
                    (FloatPointer) ones.data().addressPointer(), 1, 0.0f,
                    (FloatPointer) means.data().addressPointer(), 1);
        } else {
            cblas_dgemv(CblasRowMajor, CblasTrans, rows, columns, scale,
                    (DoublePointer) matrix.data().addressPointer(), columns,
                    (DoublePointer) ones.data().addressPointer(), 1, 0.0,
                    (DoublePointer) means.data().addressPointer(), 1);
        }
    }
}
