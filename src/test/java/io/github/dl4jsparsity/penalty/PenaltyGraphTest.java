package io.github.dl4jsparsity.penalty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;

import io.github.dl4jsparsity.testutil.ClosedForm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PenaltyGraphTest {

    private static final double EPS = 1e-7;

    private static PenaltyGraph kl(double target, double weight, long units) {
        return new PenaltyGraph(new PenaltySpec(SparsityPenalty.KL, target, weight, EPS, false), DataType.DOUBLE,
                units);
    }

    private static INDArray matrix(double[][] values) {
        return Nd4j.createFromArray(values);
    }

    @Test
    void klTwoUnitsClosedForm() {
        PenaltyGraph graph = kl(0.1, 1.0, 2);
        INDArray a = matrix(new double[][] {{0.2, 0.5}, {0.0, 0.1}});

        PenaltyGraph.Evaluation result = graph.evaluate(a, Nd4j.valueArrayOf(new long[] {1, 2}, 0.5), null, 0.0,
                false);

        assertArrayEquals(new double[] {0.1, 0.3}, result.batchMean().toDoubleVector(), 1e-12);
        assertEquals(0.116322, graph.value(a), 1e-6);
    }

    @Test
    void klOneUnitValueAndDerivative() {
        PenaltyGraph graph = kl(0.1, 1.0, 1);
        INDArray a = matrix(new double[][] {{0.3}, {0.5}});

        PenaltyGraph.ValueAndGradient result = graph.valueAndGradient(a);

        assertEquals(0.226289, result.value(), 1e-6);
        // d(penalty)/d(a_i) = dKL/dq * dq/da_i, and dq/da_i = 1/m, so the column sum is dKL/dq.
        assertEquals(1.25, result.gradient().sumNumber().doubleValue(), 1e-5);
        assertEquals(0.625, result.gradient().getDouble(0, 0), 1e-5);
        assertEquals(0.625, result.gradient().getDouble(1, 0), 1e-5);
    }

    @Test
    void klSmallTargetAtHalf() {
        assertEquals(0.637146, kl(0.01, 1.0, 1).value(matrix(new double[][] {{0.5}})), 1e-6);
    }

    @Test
    void klThreeEqualUnits() {
        assertEquals(0.348965, kl(0.1, 1.0, 3).value(matrix(new double[][] {{0.3, 0.3, 0.3}})), 1e-6);
    }

    @Test
    void klWeightScalesLinearly() {
        INDArray a = matrix(new double[][] {{0.2, 0.5}, {0.0, 0.1}});
        assertEquals(2.5 * kl(0.1, 1.0, 2).value(a), kl(0.1, 2.5, 2).value(a), 1e-12);
    }

    @Test
    void klNonNegativeAndZeroOnlyAtTarget() {
        PenaltyGraph graph = kl(0.1, 1.0, 1001);
        INDArray q = Nd4j.linspace(0.0, 1.0, 1001, DataType.DOUBLE);

        double[] values = graph.unitValues(q).toDoubleVector();

        for (int i = 0; i < values.length; i++) {
            double qi = q.getDouble(i);
            assertTrue(values[i] >= 0.0, "KL must be >= 0 at q = " + qi + ", found " + values[i]);
            if (Math.abs(qi - 0.1) > 1e-9) {
                assertTrue(values[i] > 0.0, "KL must be > 0 away from the target, at q = " + qi);
            }
        }
        assertEquals(0.0, values[100], 1e-12);
    }

    @ParameterizedTest
    @EnumSource(SparsityPenalty.class)
    void graphMatchesClosedForm(SparsityPenalty kind) {
        Random random = new Random(42);
        double[][] a = new double[6][4];
        for (double[] row : a) {
            for (int j = 0; j < row.length; j++) {
                row[j] = random.nextDouble();
            }
        }
        double p = 0.15;
        double beta = 0.7;
        PenaltyGraph graph = new PenaltyGraph(new PenaltySpec(kind, p, beta, EPS, false), DataType.DOUBLE, 4);

        PenaltyGraph.ValueAndGradient result = graph.valueAndGradient(matrix(a));

        double expected = switch (kind) {
            case KL -> ClosedForm.klPenalty(a, p, beta, EPS);
            case L1 -> ClosedForm.l1Penalty(a, beta);
            case MSE -> ClosedForm.msePenalty(a, p, beta);
            case MAE -> ClosedForm.maePenalty(a, p, beta);
        };
        assertEquals(expected, result.value(), 1e-12);
        assertEquals(expected, graph.value(matrix(a)), 1e-12);
        double[][] numeric = numericGradient(graph, a);
        double[][] actual = result.gradient().toDoubleMatrix();
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(numeric[i], actual[i], 1e-6, "gradient row " + i);
        }
        if (kind == SparsityPenalty.KL) {
            double[][] closed = ClosedForm.klGradient(a, p, beta, EPS);
            for (int i = 0; i < a.length; i++) {
                assertArrayEquals(closed[i], actual[i], 1e-12, "closed-form gradient row " + i);
            }
        }
    }

    @Test
    void tanhShiftUsesHalfOfOnePlusA() {
        double[][] tanhValues = {{-0.8, 0.2}, {-0.6, 0.9}};
        double[][] shifted = {{0.1, 0.6}, {0.2, 0.95}};
        PenaltyGraph graph = new PenaltyGraph(new PenaltySpec(SparsityPenalty.KL, 0.1, 1.0, EPS, true),
                DataType.DOUBLE, 2);

        assertEquals(ClosedForm.klPenalty(shifted, 0.1, 1.0, EPS), graph.value(matrix(tanhValues)), 1e-12);
    }

    @Test
    void saturatedUnitsFloatStayFinite() {
        INDArray z = Nd4j.createFromArray(new float[][] {{20f, -20f}, {20f, -20f}});
        INDArray a = Nd4j.nn().sigmoid(z);
        assertEquals(1.0f, a.getFloat(0, 0), 0.0f, "sigmoid(20) rounds to 1 in float32");
        PenaltyGraph graph = new PenaltyGraph(new PenaltySpec(SparsityPenalty.KL, 0.1, 1.0, EPS, false),
                DataType.FLOAT, 2);

        PenaltyGraph.ValueAndGradient result = graph.valueAndGradient(a);

        assertTrue(Double.isFinite(result.value()), "penalty " + result.value());
        assertTrue(result.value() > 0.0);
        float saturatedHigh = result.gradient().getFloat(0, 0);
        float saturatedLow = result.gradient().getFloat(0, 1);
        assertTrue(Float.isFinite(saturatedHigh) && saturatedHigh > 0f,
                "a unit stuck at 1 must get a positive gradient (descent lowers it), found " + saturatedHigh);
        assertTrue(Float.isFinite(saturatedLow) && saturatedLow < 0f,
                "a unit stuck near 0 must get a negative gradient (descent raises it), found " + saturatedLow);
    }

    @Test
    void deadUnitExactlyZeroGetsGradient() {
        INDArray a = Nd4j.zeros(DataType.FLOAT, 4, 3);
        PenaltyGraph graph = new PenaltyGraph(new PenaltySpec(SparsityPenalty.KL, 0.1, 1.0, EPS, false),
                DataType.FLOAT, 3);

        PenaltyGraph.ValueAndGradient result = graph.valueAndGradient(a);

        assertTrue(Double.isFinite(result.value()), "penalty " + result.value());
        for (float g : result.gradient().ravel().toFloatVector()) {
            assertTrue(Float.isFinite(g) && g < 0f, "gradient of a dead unit must be finite and negative: " + g);
        }
    }

    @Test
    void graphReusedAcrossBatchSizes() {
        PenaltyGraph graph = kl(0.1, 1.0, 3);
        Random random = new Random(7);
        for (int m : new int[] {5, 1, 17}) {
            double[][] a = new double[m][3];
            for (double[] row : a) {
                for (int j = 0; j < 3; j++) {
                    row[j] = random.nextDouble();
                }
            }
            PenaltyGraph.ValueAndGradient result = graph.valueAndGradient(matrix(a));
            assertEquals(ClosedForm.klPenalty(a, 0.1, 1.0, EPS), result.value(), 1e-12, "m = " + m);
            assertArrayEquals(new long[] {m, 3}, result.gradient().shape(), "m = " + m);
        }
    }

    private static double[][] numericGradient(PenaltyGraph graph, double[][] a) {
        double h = 1e-6;
        double[][] g = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                double original = a[i][j];
                a[i][j] = original + h;
                double plus = graph.value(matrix(a));
                a[i][j] = original - h;
                double minus = graph.value(matrix(a));
                a[i][j] = original;
                g[i][j] = (plus - minus) / (2 * h);
            }
        }
        return g;
    }

    @Test
    void evaluateMeanMatchesRowsGradient() {
        PenaltyGraph graph = kl(0.1, 1.0, 2);
        INDArray a = matrix(new double[][] {{0.2, 0.5}, {0.0, 0.1}, {0.4, 0.3}});

        PenaltyGraph.ValueAndGradient rows = graph.valueAndGradient(a);
        PenaltyGraph.Evaluation means = graph.evaluateMean(a.mean(true, 0), null, 0.0, true);

        assertEquals(rows.value(), means.value(), 1e-12);
        assertArrayEquals(new long[] {1, 2}, means.gradient().shape());
        // Every row of the activation gradient is dP/dq divided by the minibatch size 3.
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(means.gradient().div(3.0).toDoubleVector(),
                    rows.gradient().getRow(i).toDoubleVector(), 1e-12);
        }
    }

    @Test
    void evaluateMeanRejectsL1() {
        PenaltyGraph graph = new PenaltyGraph(new PenaltySpec(SparsityPenalty.L1, 0.1, 1.0, EPS, false),
                DataType.DOUBLE, 2);

        UnsupportedOperationException error = assertThrows(
                UnsupportedOperationException.class,
                () -> graph.evaluateMean(Nd4j.zeros(DataType.DOUBLE, 1, 2), null, 0.0, true));

        assertEquals("evaluateMean is not defined for the L1 penalty: its value depends on every activation, not on "
                + "the mean activation", error.getMessage());
    }

    @Test
    void saturatedMeanRoundingStaysFinite() {
        PenaltyGraph graph = new PenaltyGraph(new PenaltySpec(SparsityPenalty.KL, 0.1, 1.0, EPS, false),
                DataType.FLOAT, 300);
        double single = graph.value(Nd4j.ones(DataType.FLOAT, 1, 300));

        double unsaturated = graph.value(Nd4j.valueArrayOf(new long[] {1, 300}, 0.9, DataType.FLOAT));

        assertTrue(Double.isFinite(single), "penalty of one saturated row: " + single);
        assertTrue(single > unsaturated, "saturated " + single + " against q = 0.9: " + unsaturated);
        // Weights 1/m in float32 make the mean of m ones round above 1 for some m (1.0000001f for m = 10), or just
        // below it, where the penalty changes fast but stays finite.
        for (int m : new int[] {3, 7, 10, 32, 200, 1000}) {
            double value = graph.value(Nd4j.ones(DataType.FLOAT, m, 300));
            assertTrue(Double.isFinite(value), "minibatch " + m + ": " + value);
            assertTrue(value > unsaturated, "minibatch " + m + ": " + value + " against q = 0.9: " + unsaturated);
        }
    }

    @Test
    void saturatedMovingAverageStaysFinite() {
        PenaltyGraph graph = new PenaltyGraph(new PenaltySpec(SparsityPenalty.KL, 0.1, 1.0, EPS, false),
                DataType.FLOAT, 300, true);
        INDArray ones = Nd4j.ones(DataType.FLOAT, 10, 300);
        INDArray weights = Nd4j.valueArrayOf(new long[] {1, 10}, 0.1, DataType.FLOAT);

        PenaltyGraph.Evaluation first = graph.evaluate(ones, weights, null, 0.9, true);
        PenaltyGraph.Evaluation second = graph.evaluate(ones, weights, first.penaltyMean(), 0.9, true);

        assertTrue(Double.isFinite(first.value()), "first minibatch: " + first.value());
        assertTrue(Double.isFinite(second.value()), "second minibatch: " + second.value());
        for (float g : second.gradient().ravel().toFloatVector()) {
            assertTrue(Float.isFinite(g), "gradient of a saturated unit must be finite: " + g);
            assertTrue(g > 0f, "gradient of a saturated unit must push it down: " + g);
        }
    }

    @Test
    void floatWeightOverflowRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> new PenaltyGraph(
                new PenaltySpec(SparsityPenalty.KL, 0.1, 1e39, EPS, false), DataType.FLOAT, 2));

        assertEquals("Invalid weight = 1.0E39 for a FLOAT network: it overflows float32, whose largest value is "
                + "3.4028235E38; use a smaller weight or a DOUBLE network", error.getMessage());
    }

    @Test
    void movingAverageOfRoundedMeansStaysFinite() {
        PenaltyGraph graph = new PenaltyGraph(new PenaltySpec(SparsityPenalty.KL, 0.1, 1.0, EPS, false),
                DataType.FLOAT, 300, true);
        INDArray rounded = Nd4j.valueArrayOf(new long[] {1, 300}, 1.0000001, DataType.FLOAT);

        assertTrue(rounded.getFloat(0) > 1f, "the test needs a float32 mean above 1");
        for (double decay : new double[] {0.9, 0.95, 0.99, 0.999}) {
            PenaltyGraph.Evaluation result = graph.evaluateMean(rounded, rounded, decay, true);
            assertTrue(Double.isFinite(result.value()), "decay " + decay + ": " + result.value());
            assertTrue(Float.isFinite(result.gradient().getFloat(0)), "decay " + decay + " gradient");
        }
    }
}
