package io.github.dl4jsparsity.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

class StepTimeChartTest {

    @TempDir
    Path tempDir;

    private static Map<String, List<StepTimePoint>> threeSeries() {
        Map<String, List<StepTimePoint>> series = new LinkedHashMap<>();
        series.put("DL4J baseline", List.of(
                new StepTimePoint(32, 1.2, 0.1),
                new StepTimePoint(128, 3.5, 0.2),
                new StepTimePoint(512, 12.0, 0.8)));
        series.put("DL4J + KL wrapper", List.of(
                new StepTimePoint(512, 13.1, 0.9),
                new StepTimePoint(32, 1.4, 0.1),
                new StepTimePoint(128, 3.9, 0.3)));
        series.put("PyTorch", List.of(
                new StepTimePoint(32, 0.9, 0.05),
                new StepTimePoint(128, 2.1, 0.1),
                new StepTimePoint(512, 7.5, 0.0)));
        return series;
    }

    @Test
    void writesLinearAxisPng() throws IOException {
        Path output = tempDir.resolve("bench/step-time.png");
        StepTimeChart.write(threeSeries(), "Step time per minibatch", false, output);

        PngAssertions.assertReadablePng(output, StepTimeChart.DEFAULT_WIDTH, StepTimeChart.DEFAULT_HEIGHT);
    }

    @Test
    void writesLogAxisPng() throws IOException {
        Path output = tempDir.resolve("step-time-log.png");
        StepTimeChart.write(threeSeries(), "Step time per minibatch", true, output, 640, 400);

        PngAssertions.assertReadablePng(output, 640, 400);
    }

    @Test
    void pointsSortedWithErrorBars() {
        XYChart chart = StepTimeChart.createChart(threeSeries(), "t", false, 800, 500);
        XYSeries wrapper = chart.getSeriesMap().get("DL4J + KL wrapper");

        assertEquals(List.of("DL4J baseline", "DL4J + KL wrapper", "PyTorch"), List.copyOf(chart.getSeriesMap()
                .keySet()));
        assertArrayEquals(new double[] {32, 128, 512}, wrapper.getXData());
        assertArrayEquals(new double[] {1.4, 3.9, 13.1}, wrapper.getYData());
        assertArrayEquals(new double[] {0.1, 0.3, 0.9}, wrapper.getExtraValues());
    }

    @Test
    void emptyMapRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> StepTimeChart.createChart(Map.of(), "t", false, 800, 500));
        assertEquals("series must contain at least one named series, but is empty", error.getMessage());
    }

    @Test
    void emptySeriesRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> StepTimeChart.createChart(Map.of("PyTorch", List.of()), "t", false, 800, 500));
        assertEquals("series \"PyTorch\" must contain at least one point, but has []", error.getMessage());
    }

    @Test
    void repeatedBatchSizeRejected() {
        Map<String, List<StepTimePoint>> series = Map.of("PyTorch",
                List.of(new StepTimePoint(64, 1.0, 0.1), new StepTimePoint(64, 1.1, 0.1)));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> StepTimeChart.createChart(series, "t", false, 800, 500));
        assertEquals("series \"PyTorch\" must have one point per batch size, but batch size 64 appears more than "
                + "once", error.getMessage());
    }

    @Test
    void pointBatchSizeBelowOneRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new StepTimePoint(0, 1.0, 0.1));
        assertEquals("batchSize must be at least 1, but was 0", error.getMessage());
    }

    @Test
    void pointNegativeMeanRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new StepTimePoint(8, -1.0, 0.1));
        assertEquals("meanMillis must be finite and at least 0, but was -1.0", error.getMessage());
    }

    @Test
    void pointNanErrorRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new StepTimePoint(8, 1.0, Double.NaN));
        assertEquals("errorMillis must be finite and at least 0, but was NaN", error.getMessage());
    }
}
