package io.github.dl4jsparsity.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SparsityStatisticsTest {

    private static final double EPS = 1e-12;

    /**
     * Unit means are 0.1, 0.2 and 0.6. The values 0.1, 0.2 and 1.0 sit on bin edges and on both ends of the
     * [0.1, 0.2] band.
     */
    private static INDArray handBuiltMatrix() {
        return Nd4j.createFromArray(new double[][] {
                {0.0, 0.1, 0.2},
                {0.2, 0.3, 1.0},
        });
    }

    @Test
    void handBuiltMatrixScalars() {
        SparsityStatistics stats = SparsityStatistics.compute(handBuiltMatrix(), 0.1);

        assertEquals(0.1, stats.getTargetSparsity());
        assertEquals(2, stats.getExampleCount());
        assertEquals(3, stats.getUnitCount());
        assertArrayEquals(new double[] {0.1, 0.2, 0.6}, stats.getUnitMeans(), EPS);
        assertEquals(0.3, stats.getMeanOfUnitMeans(), EPS);
        assertEquals(0.1, stats.getMinUnitMean(), EPS);
        assertEquals(0.6, stats.getMaxUnitMean(), EPS);
        // Only 0.0 is strictly below 0.1.
        assertEquals(1.0 / 6, stats.getShareOfActivationsBelowThreshold(), EPS);
        // q = 0.1 and q = 0.2 are both inside the closed band, q = 0.6 is not.
        assertEquals(2.0 / 3, stats.getShareOfUnitsInBand(), EPS);
    }

    @Test
    void handBuiltMatrixHistograms() {
        SparsityStatistics stats = SparsityStatistics.compute(handBuiltMatrix(), 0.1);

        double sixth = 1.0 / 6;
        assertArrayEquals(new double[] {sixth, sixth, 2 * sixth, sixth, 0, 0, 0, 0, 0, sixth},
                stats.getActivationHistogram(), EPS);
        double third = 1.0 / 3;
        assertArrayEquals(new double[] {0, third, third, 0, 0, 0, third, 0, 0, 0},
                stats.getUnitMeanHistogram(), EPS);
        assertEquals(1.0, Arrays.stream(stats.getActivationHistogram()).sum(), EPS);
        assertEquals(1.0, Arrays.stream(stats.getUnitMeanHistogram()).sum(), EPS);
    }

    @Test
    void binIndexEdges() {
        assertEquals(0, SparsityStatistics.binIndex(0.0));
        assertEquals(0, SparsityStatistics.binIndex(Math.nextDown(0.1)));
        assertEquals(1, SparsityStatistics.binIndex(0.1));
        assertEquals(2, SparsityStatistics.binIndex(0.2));
        assertEquals(3, SparsityStatistics.binIndex(0.3));
        assertEquals(6, SparsityStatistics.binIndex(Math.nextDown(0.7)));
        assertEquals(7, SparsityStatistics.binIndex(0.7));
        assertEquals(9, SparsityStatistics.binIndex(0.9));
        assertEquals(9, SparsityStatistics.binIndex(Math.nextDown(1.0)));
        assertEquals(9, SparsityStatistics.binIndex(1.0));
    }

    @Test
    void matrixLargerThanOneRowBlock() {
        int rows = 2500;
        int units = 4;
        double[][] values = new double[rows][units];
        for (int i = 0; i < rows; i++) {
            Arrays.fill(values[i], (i % 10) / 10.0 + 0.05);
        }
        SparsityStatistics stats = SparsityStatistics.compute(Nd4j.createFromArray(values), 0.05);

        assertEquals(rows, stats.getExampleCount());
        double[] expectedHistogram = new double[10];
        Arrays.fill(expectedHistogram, 0.1);
        assertArrayEquals(expectedHistogram, stats.getActivationHistogram(), EPS);
        assertArrayEquals(new double[] {0.5, 0.5, 0.5, 0.5}, stats.getUnitMeans(), 1e-9);
        assertEquals(0.1, stats.getShareOfActivationsBelowThreshold(), EPS);
        assertEquals(0.0, stats.getShareOfUnitsInBand(), EPS);
    }

    @Test
    void transposedViewMatchesCopy() {
        INDArray view = handBuiltMatrix().transpose().dup().transpose();
        SparsityStatistics fromView = SparsityStatistics.compute(view, 0.1);
        SparsityStatistics fromCopy = SparsityStatistics.compute(handBuiltMatrix(), 0.1);

        assertArrayEquals(fromCopy.getUnitMeans(), fromView.getUnitMeans(), EPS);
        assertArrayEquals(fromCopy.getActivationHistogram(), fromView.getActivationHistogram(), EPS);
    }

    @Test
    void floatMatrixAccepted() {
        INDArray floats = handBuiltMatrix().castTo(DataType.FLOAT);
        SparsityStatistics stats = SparsityStatistics.compute(floats, 0.1);

        assertArrayEquals(new double[] {0.1, 0.2, 0.6}, stats.getUnitMeans(), 1e-6);
        assertEquals(1.0 / 6, stats.getActivationHistogram()[0], EPS);
        assertEquals(1.0 / 6, stats.getActivationHistogram()[9], EPS);
    }

    @Test
    void gettersReturnCopies() {
        SparsityStatistics stats = SparsityStatistics.compute(handBuiltMatrix(), 0.1);
        stats.getUnitMeans()[0] = 42.0;
        stats.getActivationHistogram()[0] = 42.0;
        stats.getUnitMeanHistogram()[0] = 42.0;

        assertEquals(0.1, stats.getUnitMeans()[0], EPS);
        assertEquals(1.0 / 6, stats.getActivationHistogram()[0], EPS);
        assertEquals(0.0, stats.getUnitMeanHistogram()[0], EPS);
    }

    @Test
    void toMapKeysAndValues() {
        Map<String, Object> map = SparsityStatistics.compute(handBuiltMatrix(), 0.1).toMap();

        assertEquals(List.of("targetSparsity", "exampleCount", "unitCount", "meanOfUnitMeans", "minUnitMean",
                "maxUnitMean", "lowActivationThreshold", "shareOfActivationsBelowThreshold", "unitMeanBandLow",
                "unitMeanBandHigh", "shareOfUnitsInBand", "histogramBinWidth", "activationHistogram",
                "unitMeanHistogram", "unitMeans"), List.copyOf(map.keySet()));
        assertEquals(0.1, map.get("targetSparsity"));
        assertEquals(2L, map.get("exampleCount"));
        assertEquals(3, map.get("unitCount"));
        assertEquals(2.0 / 3, (Double) map.get("shareOfUnitsInBand"), EPS);
        assertEquals(10, ((List<?>) map.get("activationHistogram")).size());
        assertEquals(3, ((List<?>) map.get("unitMeans")).size());
        assertThrows(UnsupportedOperationException.class, () -> map.put("extra", 1));
    }

    @Test
    void nullMatrixRejected() {
        NullPointerException error = assertThrows(NullPointerException.class,
                () -> SparsityStatistics.compute(null, 0.1));
        assertEquals("activations must not be null", error.getMessage());
    }

    @Test
    void rankThreeRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SparsityStatistics.compute(Nd4j.zeros(2, 3, 4), 0.1));
        assertEquals("activations must be a rank-2 matrix [examples, units], but has rank 3 and shape [2, 3, 4]",
                error.getMessage());
    }

    @Test
    void rankOneRejected() {
        INDArray vector = Nd4j.createFromArray(0.1, 0.2);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SparsityStatistics.compute(vector, 0.1));
        assertEquals("activations must be a rank-2 matrix [examples, units], but has rank 1 and shape [2]",
                error.getMessage());
    }

    @Test
    void emptyMatrixRejected() {
        INDArray empty = Nd4j.create(DataType.DOUBLE, 0, 5);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SparsityStatistics.compute(empty, 0.1));
        assertEquals("activations must have at least 1 example and 1 unit, but has shape [0, 5]",
                error.getMessage());
    }

    @Test
    void nanValuesCounted() {
        INDArray withNan = Nd4j.createFromArray(new double[][] {{Double.NaN, 0.1}, {0.2, Double.NaN}});
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SparsityStatistics.compute(withNan, 0.1));
        assertEquals("activations contains 2 NaN values among 4 entries, but every value must be in [0, 1]",
                error.getMessage());
    }

    @Test
    void valuesOutsideUnitIntervalRejected() {
        INDArray outside = Nd4j.createFromArray(new double[][] {{-0.5, 0.1}, {0.2, 1.5}});
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SparsityStatistics.compute(outside, 0.1));
        assertEquals("activations contains 2 values outside [0, 1] among 4 entries (min -0.5, max 1.5)",
                error.getMessage());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 1.0, -0.1, 1.5, Double.NaN})
    void targetSparsityOutsideOpenIntervalRejected(double target) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SparsityStatistics.compute(handBuiltMatrix(), target));
        assertEquals("targetSparsity must be in the open interval (0, 1), but was " + target, error.getMessage());
    }
}
