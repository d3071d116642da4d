package io.github.dl4jsparsity.penalty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link DenseRowOps} must give the values of the legacy ND4J ops it replaces, for plain arrays, arrays in 'f' order
 * and views, with special values among the inputs: with zero tolerance, except for the BLAS column mean of plain
 * arrays, whose summation order differs.
 */
class DenseRowOpsTest {

    static Stream<Arguments> layouts() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            for (String layout : List.of("plain", "f order", "view")) {
                for (int minibatch : new int[] {1, 5}) {
                    cases.add(Arguments.of(type, layout, minibatch));
                }
            }
        }
        return cases.build();
    }

    /** Returns a matrix [m, n] in the given layout, with NaN, both infinities, -0.0, 0 and 1 in its first row. */
    private static INDArray matrix(DataType type, String layout, int rows, int columns, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray values = Nd4j.rand(DataType.DOUBLE, rows, columns).castTo(type);
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, 1.0};
        for (int j = 0; j < special.length && j < columns; j++) {
            values.putScalar(0, j, special[j]);
        }
        switch (layout) {
            case "plain":
                return values;
            case "f order":
                return values.dup('f');
            default:
                INDArray wider = Nd4j.rand(type, rows + 2, columns + 3);
                INDArray view = wider.get(NDArrayIndex.interval(1, rows + 1), NDArrayIndex.interval(2, columns + 2));
                view.assign(values);
                return view;
        }
    }

    private static boolean cpuBackend() {
        return Nd4j.getBackend().getClass().getName().equals("org.nd4j.linalg.cpu.nativecpu.CpuBackend");
    }

    /**
     * Compares the elements as doubles with zero tolerance, where NaN equals NaN. -0.0 equals 0.0: the mean of a
     * single -0.0 is -0.0 from the legacy op and 0.0 from the custom op.
     */
    private static void assertSameValues(INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        assertArrayEquals(expected.dup('c').data().asDouble(), actual.dup('c').data().asDouble(), 0.0);
    }

    /**
     * Compares the elements with a tolerance relative to the expected value's size (at least 1), where NaN equals NaN
     * and an infinity equals only itself.
     */
    private static void assertCloseValues(INDArray expected, INDArray actual, double tolerance) {
        assertArrayEquals(expected.shape(), actual.shape());
        double[] expectedValues = expected.dup('c').data().asDouble();
        double[] actualValues = actual.dup('c').data().asDouble();
        for (int i = 0; i < expectedValues.length; i++) {
            if (Double.isNaN(expectedValues[i]) || Double.isInfinite(expectedValues[i])) {
                assertEquals(expectedValues[i], actualValues[i], 0.0, "element " + i);
            } else {
                assertEquals(expectedValues[i], actualValues[i], tolerance * Math.max(1.0, Math.abs(expectedValues[i])), "element " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}, {1}, m = {2}")
    @MethodSource("layouts")
    void columnMeanMatchesLegacyMean(DataType type, String layout, int minibatch) {
        INDArray activations = matrix(type, layout, minibatch, 9, 11);
        INDArray expected = Nd4j.create(type, 1, 9);
        Nd4j.getExecutioner().exec(new Mean(activations, expected, true, 0));
        INDArray actual = Nd4j.create(type, 1, 9);
        DenseRowOps ops = new DenseRowOps();
        // On the CPU backend plain arrays take the BLAS product, whose summation order differs from reduce_mean's.
        boolean blas = layout.equals("plain") && cpuBackend();
        assertEquals(blas, ops.usesBlas(activations));
        double tolerance = 0.0;
        if (blas) {
            tolerance = type == DataType.FLOAT ? 1e-6 : 1e-15;
        }
        ops.columnMean(activations, actual);
        assertCloseValues(expected, actual, tolerance);

        // A second call with other values reuses the contexts and must not keep anything from the first.
        INDArray other = matrix(type, layout, minibatch, 9, 12).muli(3.0);
        Nd4j.getExecutioner().exec(new Mean(other, expected, true, 0));
        ops.columnMean(other, actual);
        assertCloseValues(expected, actual, tolerance);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void columnMeanOverwritesNaN(DataType type) {
        INDArray activations = Nd4j.linspace(type, 1, 12, 1).reshape(4, 3);
        INDArray means = Nd4j.valueArrayOf(new long[] {1, 3}, Double.NaN, type);
        DenseRowOps ops = new DenseRowOps();
        assertEquals(cpuBackend(), ops.usesBlas(activations));
        ops.columnMean(activations, means);
        assertArrayEquals(new double[] {5.5, 6.5, 7.5}, means.data().asDouble(), 1e-6);
    }

    @ParameterizedTest(name = "m = {0}")
    @ValueSource(ints = {1, 3, 64})
    void columnMeanFollowsMinibatchSize(int minibatch) {
        DenseRowOps ops = new DenseRowOps();
        for (int rows : new int[] {minibatch, 2, minibatch}) {
            INDArray activations = Nd4j.linspace(DataType.DOUBLE, 1, rows * 5, 1).reshape(rows, 5);
            INDArray means = Nd4j.create(DataType.DOUBLE, 1, 5);
            ops.columnMean(activations, means);
            // Column j contains j + 1, j + 6, ..., so its mean is j + 1 + 5 (rows - 1) / 2.
            for (int j = 0; j < 5; j++) {
                assertEquals(j + 1 + 5.0 * (rows - 1) / 2.0, means.getDouble(0, j), 1e-12);
            }
        }
    }

    @ParameterizedTest(name = "{0}, {1}, m = {2}")
    @MethodSource("layouts")
    void addRowEqualsLegacyBroadcastAdd(DataType type, String layout, int minibatch) {
        INDArray epsilon = matrix(type, layout, minibatch, 9, 21);
        INDArray epsilonBefore = epsilon.dup();
        INDArray row = matrix(type, "plain", 1, 9, 22);
        INDArray expected = Nd4j.create(type, minibatch, 9);
        Nd4j.getExecutioner().exec(new BroadcastAddOp(epsilon, row, expected, 1));
        DenseRowOps ops = new DenseRowOps();
        for (char order : new char[] {'c', 'f'}) {
            INDArray sum = Nd4j.create(type, new long[] {minibatch, 9}, order);
            ops.addRow(epsilon, row, sum);
            assertSameValues(expected, sum);
        }
        assertSameValues(epsilonBefore, epsilon);
    }

    @ParameterizedTest(name = "{0}, {1}, m = {2}")
    @MethodSource("layouts")
    void addRowInPlaceEqualsLegacyBroadcastAdd(DataType type, String layout, int minibatch) {
        INDArray epsilon = matrix(type, layout, minibatch, 9, 23);
        INDArray row = matrix(type, "plain", 1, 9, 24);
        INDArray rowBefore = row.dup();
        INDArray expected = Nd4j.create(type, minibatch, 9);
        Nd4j.getExecutioner().exec(new BroadcastAddOp(epsilon, row, expected, 1));
        DenseRowOps ops = new DenseRowOps();
        assertEquals(cpuBackend() && !layout.equals("view"), ops.addsWithBlas(epsilon, row));
        ops.addRow(epsilon, row, epsilon);
        assertSameValues(expected, epsilon);
        assertSameValues(rowBefore, row);
    }

    @Test
    void meanOfWideMatrixMatchesClosedForm() {
        INDArray activations = Nd4j.linspace(DataType.DOUBLE, 1, 64 * 300, 1).reshape(64, 300);
        INDArray means = Nd4j.create(DataType.DOUBLE, 1, 300);
        new DenseRowOps().columnMean(activations, means);
        // Column j contains j + 1, j + 301, ..., j + 1 + 63 * 300, whose mean is j + 1 + 31.5 * 300.
        for (int j = 0; j < 300; j++) {
            assertEquals(j + 1 + 31.5 * 300, means.getDouble(0, j), 1e-9);
        }
    }

    @Test
    void columnMeanRejectsMismatchedArrays() {
        DenseRowOps ops = new DenseRowOps();
        INDArray activations = Nd4j.zeros(DataType.FLOAT, 4, 3);
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                () -> ops.columnMean(activations, Nd4j.zeros(DataType.FLOAT, 1, 4)));
        assertEquals("Invalid means array: shape [1, 4] and type FLOAT, expected shape [1, 3] and type FLOAT",
                width.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> ops.columnMean(activations, Nd4j.zeros(DataType.DOUBLE, 1, 3)));
        assertEquals("Invalid means array: shape [1, 3] and type DOUBLE, expected shape [1, 3] and type FLOAT",
                type.getMessage());
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> ops.columnMean(Nd4j.zeros(DataType.FLOAT, 2, 3, 4), Nd4j.zeros(DataType.FLOAT, 1, 3)));
        assertEquals("Invalid activations shape [2, 3, 4]: expected [m, n] with m >= 1", rank.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> ops.columnMean(Nd4j.create(DataType.FLOAT, 0, 3), Nd4j.zeros(DataType.FLOAT, 1, 3)));
        assertEquals("Invalid activations shape [0, 3]: expected [m, n] with m >= 1", empty.getMessage());
        assertFalse(ops.usesBlas(Nd4j.create(DataType.FLOAT, 4, 0)));
        NullPointerException missing = assertThrows(NullPointerException.class,
                () -> ops.columnMean(activations, null));
        assertEquals("means", missing.getMessage());
    }

    @Test
    void columnMeanRejectsIntegerActivations() {
        INDArray activations = Nd4j.createFromArray(new int[][] {{1, 2}, {3, 5}});
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new DenseRowOps().columnMean(activations, Nd4j.create(DataType.INT, 1, 2)));
        assertEquals("Invalid activations type INT: expected a floating-point type (FLOAT, DOUBLE, HALF or BFLOAT16)",
                error.getMessage());
    }

    @Test
    void columnMeanRejectsMeansSharingMemory() {
        DenseRowOps ops = new DenseRowOps();
        INDArray activations = Nd4j.linspace(DataType.DOUBLE, 1, 12, 1).reshape(4, 3);
        String expected = "Invalid means array: it shares a data buffer with the activations, pass an array of its own";
        IllegalArgumentException rowOfActivations = assertThrows(IllegalArgumentException.class,
                () -> ops.columnMean(activations, activations.getRow(0, true)));
        assertEquals(expected, rowOfActivations.getMessage());
        INDArray single = Nd4j.createFromArray(new double[][] {{1, 2, 3}});
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> ops.columnMean(single, single));
        assertEquals(expected, same.getMessage());
        // The rejected calls leave the activations unchanged.
        assertArrayEquals(new double[] {1, 2, 3}, activations.getRow(0).toDoubleVector(), 0.0);
        assertArrayEquals(new double[] {1, 2, 3}, single.toDoubleVector(), 0.0);
    }

    @Test
    void addRowRejectsMismatchedArrays() {
        DenseRowOps ops = new DenseRowOps();
        INDArray epsilon = Nd4j.zeros(DataType.FLOAT, 4, 3);
        IllegalArgumentException row = assertThrows(IllegalArgumentException.class,
                () -> ops.addRow(epsilon, Nd4j.zeros(DataType.FLOAT, 2, 3), Nd4j.zeros(DataType.FLOAT, 4, 3)));
        assertEquals("Invalid row array: shape [2, 3] and type FLOAT, expected shape [1, 3] and type FLOAT",
                row.getMessage());
        IllegalArgumentException sum = assertThrows(IllegalArgumentException.class,
                () -> ops.addRow(epsilon, Nd4j.zeros(DataType.FLOAT, 1, 3), Nd4j.zeros(DataType.DOUBLE, 4, 3)));
        assertEquals("Invalid sum array: shape [4, 3] and type DOUBLE, expected shape [4, 3] and type FLOAT",
                sum.getMessage());
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> ops.addRow(Nd4j.zeros(DataType.FLOAT, 3), Nd4j.zeros(DataType.FLOAT, 1, 3),
                        Nd4j.zeros(DataType.FLOAT, 3)));
        assertEquals("Invalid epsilon shape [3]: expected [m, n]", rank.getMessage());
    }
}
