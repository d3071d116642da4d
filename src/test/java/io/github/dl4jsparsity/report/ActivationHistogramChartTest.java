package io.github.dl4jsparsity.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.nd4j.linalg.factory.Nd4j;

class ActivationHistogramChartTest {

    @TempDir
    Path tempDir;

    private static SparsityStatistics statistics() {
        double[][] activations = new double[50][20];
        for (int i = 0; i < activations.length; i++) {
            for (int j = 0; j < activations[i].length; j++) {
                // Mostly small activations with a few large ones, like a sparse coding layer.
                activations[i][j] = ((i * 7 + j * 13) % 50 == 0) ? 0.9 : ((i + j) % 10) / 100.0;
            }
        }
        return SparsityStatistics.compute(Nd4j.createFromArray(activations), 0.1);
    }

    @Test
    void writesTwoPanelPng() throws IOException {
        Path output = tempDir.resolve("figures/nested/histograms.png");
        ActivationHistogramChart.write(statistics(), "run-1", output);

        PngAssertions.assertReadablePng(output, 2 * ActivationHistogramChart.DEFAULT_PANEL_WIDTH,
                ActivationHistogramChart.DEFAULT_PANEL_HEIGHT);
    }

    @Test
    void customPanelSize() throws IOException {
        Path output = tempDir.resolve("small.png");
        ActivationHistogramChart.write(statistics(), "", output, 400, 300);

        PngAssertions.assertReadablePng(output, 800, 300);
    }

    @Test
    void panelTitlesAndAxes() {
        List<CategoryChart> charts = ActivationHistogramChart.createCharts(statistics(), "run-1", 800, 500);

        assertEquals(2, charts.size());
        assertEquals("run-1: coding activations", charts.get(0).getTitle());
        assertEquals("Activation", charts.get(0).getXAxisTitle());
        assertEquals("% of activations", charts.get(0).getYAxisTitle());
        assertEquals("run-1: mean activation per unit (target p = 0.1)", charts.get(1).getTitle());
        assertEquals("Neuron mean activation", charts.get(1).getXAxisTitle());
        assertEquals("% of neurons", charts.get(1).getYAxisTitle());
    }

    @Test
    void binLabelsCoverUnitInterval() {
        List<String> labels = ActivationHistogramChart.binLabels();

        assertEquals(10, labels.size());
        assertEquals("0.0-0.1", labels.get(0));
        assertEquals("0.9-1.0", labels.get(9));
    }

    @Test
    void yAxisMaxRounding() {
        assertEquals(65.0, ActivationHistogramChart.yAxisMax(List.of(60.0, 40.0)));
        assertEquals(95.0, ActivationHistogramChart.yAxisMax(List.of(90.0, 10.0)));
        assertEquals(105.0, ActivationHistogramChart.yAxisMax(List.of(95.0, 5.0)));
        assertEquals(105.0, ActivationHistogramChart.yAxisMax(List.of(100.0, 0.0)));
        assertEquals(25.0, ActivationHistogramChart.yAxisMax(List.of(20.0, 20.0, 20.0, 20.0, 20.0)));
        assertEquals(5.0, ActivationHistogramChart.yAxisMax(List.of(0.0)));
    }

    @Test
    void invalidPanelWidthRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ActivationHistogramChart.createCharts(statistics(), "run-1", 0, 500));
        assertEquals("panelWidth must be between 1 and 10000 pixels, but was 0", error.getMessage());
    }

    @Test
    void nullStatisticsRejected() {
        NullPointerException error = assertThrows(NullPointerException.class,
                () -> ActivationHistogramChart.write(null, "run-1", tempDir.resolve("x.png")));
        assertEquals("statistics must not be null", error.getMessage());
    }

    @Test
    void parentIsFileReported() throws IOException {
        Path blocker = Files.writeString(tempDir.resolve("blocker"), "not a directory");
        Path output = blocker.resolve("histograms.png");

        IOException error = assertThrows(IOException.class,
                () -> ActivationHistogramChart.write(statistics(), "run-1", output));
        String expectedStart = "Failed to create the directory " + blocker + " for the activation histogram PNG "
                + output + ": ";
        assertTrue(error.getMessage().startsWith(expectedStart), error.getMessage());
    }

    @Test
    void outputIsDirectoryReported() throws IOException {
        Path directory = Files.createDirectory(tempDir.resolve("histograms.png"));

        IOException error = assertThrows(IOException.class,
                () -> ActivationHistogramChart.write(statistics(), "run-1", directory));
        String expectedStart = "Failed to write activation histogram PNG to " + directory + ": ";
        assertTrue(error.getMessage().startsWith(expectedStart), error.getMessage());
    }
}
