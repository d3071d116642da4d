package io.github.dl4jsparsity.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

class PenaltyCurvesChartTest {

    private static final double TARGET = 0.1;

    @TempDir
    Path tempDir;

    /** Returns 999 values of q from 0.001 to 0.999 in steps of 0.001. */
    private static double[] actualSparsity() {
        double[] q = new double[999];
        for (int i = 0; i < q.length; i++) {
            q[i] = (i + 1) / 1000.0;
        }
        return q;
    }

    /** KL(p || q) for Bernoulli distributions, in nats. */
    private static double[] klDivergence(double[] q) {
        double[] values = new double[q.length];
        for (int i = 0; i < q.length; i++) {
            values[i] = TARGET * Math.log(TARGET / q[i]) + (1 - TARGET) * Math.log((1 - TARGET) / (1 - q[i]));
        }
        return values;
    }

    private static double[] absoluteError(double[] q) {
        double[] values = new double[q.length];
        for (int i = 0; i < q.length; i++) {
            values[i] = Math.abs(TARGET - q[i]);
        }
        return values;
    }

    private static double[] squaredError(double[] q) {
        double[] values = new double[q.length];
        for (int i = 0; i < q.length; i++) {
            values[i] = (TARGET - q[i]) * (TARGET - q[i]);
        }
        return values;
    }

    @Test
    void writesPngOfDefaultSize() throws IOException {
        double[] q = actualSparsity();
        Path output = tempDir.resolve("figures/penalties.png");
        PenaltyCurvesChart.write(q, klDivergence(q), absoluteError(q), squaredError(q), TARGET, output);

        PngAssertions.assertReadablePng(output, PenaltyCurvesChart.DEFAULT_WIDTH, PenaltyCurvesChart.DEFAULT_HEIGHT);
    }

    @Test
    void chartHasThreeNamedCurves() {
        double[] q = actualSparsity();
        XYChart chart = PenaltyCurvesChart.createChart(q, klDivergence(q), absoluteError(q), squaredError(q),
                TARGET, 800, 500);

        assertEquals(3, chart.getSeriesMap().size());
        assertEquals(999, chart.getSeriesMap().get("KL divergence").getXData().length);
        assertEquals(999, chart.getSeriesMap().get("MAE").getXData().length);
        assertEquals(999, chart.getSeriesMap().get("MSE").getXData().length);
        assertEquals("Sparsity penalties, target p = 0.1", chart.getTitle());
        assertEquals("Actual sparsity q", chart.getXAxisTitle());
    }

    @Test
    void curveLengthMismatchRejected() {
        double[] q = actualSparsity();
        double[] shortCurve = new double[10];
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> PenaltyCurvesChart.createChart(q, klDivergence(q), shortCurve, squaredError(q), TARGET, 800,
                        500));
        assertEquals("meanAbsoluteError must have one value per actualSparsity value (999), but has 10",
                error.getMessage());
    }

    @Test
    void nonFiniteValueRejected() {
        double[] q = {0.1, 0.5};
        double[] kl = {0.0, Double.POSITIVE_INFINITY};
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> PenaltyCurvesChart.createChart(q, kl, new double[2], new double[2], TARGET, 800, 500));
        assertEquals("klDivergence[1] must be finite, but was Infinity", error.getMessage());
    }

    @Test
    void sparsityOutsideOpenIntervalRejected() {
        double[] q = {0.0, 0.5};
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> PenaltyCurvesChart.createChart(q, new double[2], new double[2], new double[2], TARGET, 800,
                        500));
        assertEquals("actualSparsity[0] must be in the open interval (0, 1), but was 0.0", error.getMessage());
    }

    @Test
    void unsortedSparsityRejected() {
        double[] q = {0.2, 0.5, 0.5};
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> PenaltyCurvesChart.createChart(q, new double[3], new double[3], new double[3], TARGET, 800,
                        500));
        assertEquals("actualSparsity must be strictly increasing, but actualSparsity[2] = 0.5 follows 0.5",
                error.getMessage());
    }

    @Test
    void singlePointRejected() {
        double[] q = {0.5};
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> PenaltyCurvesChart.createChart(q, new double[1], new double[1], new double[1], TARGET, 800,
                        500));
        assertEquals("actualSparsity must have at least 2 values, but has 1", error.getMessage());
    }

    @Test
    void targetOutsideOpenIntervalRejected() {
        double[] q = {0.2, 0.5};
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> PenaltyCurvesChart.createChart(q, new double[2], new double[2], new double[2], 1.0, 800, 500));
        assertEquals("targetSparsity must be in the open interval (0, 1), but was 1.0", error.getMessage());
    }
}
