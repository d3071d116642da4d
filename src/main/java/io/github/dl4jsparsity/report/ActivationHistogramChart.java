package io.github.dl4jsparsity.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.CategoryStyler;

/**
 * Bar charts of the two coding-layer histograms of a {@link SparsityStatistics}, drawn side by side in one PNG in the
 * style of Figure 17-11 of Géron, "Hands-On Machine Learning", chapter 17.
 *
 * <p>The left panel shows the percentage of all N*n coding activations in each 0.1-wide bin of [0, 1]
 * (x "Activation", y "% of activations"). The right panel shows the percentage of coding units whose mean
 * activation falls in each bin (x "Neuron mean activation", y "% of neurons"). Each panel is
 * {@value #DEFAULT_PANEL_WIDTH} x {@value #DEFAULT_PANEL_HEIGHT} pixels unless a size is given, so the default
 * image is 1600 x 500 pixels.
 */
public final class ActivationHistogramChart {

    /** Default width in pixels of each of the two panels. */
    public static final int DEFAULT_PANEL_WIDTH = 800;

    /** Default height in pixels of each panel and so of the image. */
    public static final int DEFAULT_PANEL_HEIGHT = 500;

    private ActivationHistogramChart() {
    }

    /** Writes both histograms of {@code statistics} to {@code output} as one PNG with the default panel size. */
    public static void write(SparsityStatistics statistics, String title, Path output) throws IOException {
        write(statistics, title, output, DEFAULT_PANEL_WIDTH, DEFAULT_PANEL_HEIGHT);
    }

    /**
     * Writes both histograms of {@code statistics} to {@code output} as one PNG of
     * (2 * {@code panelWidth}) x {@code panelHeight} pixels, creating missing parent directories.
     *
     * @param title text put in front of each panel title, for example the run name
     * @throws IOException if a directory or the file cannot be written, with the path in the message
     */
    public static void write(SparsityStatistics statistics, String title, Path output, int panelWidth,
            int panelHeight) throws IOException {
        List<CategoryChart> charts = createCharts(statistics, title, panelWidth, panelHeight);
        PngFiles.writeCharts(charts, 1, charts.size(), output, "activation histogram");
    }

    /**
     * Creates the two panels, left the activation histogram and right the unit-mean histogram, for callers that
     * want to show or lay them out themselves.
     */
    public static List<CategoryChart> createCharts(SparsityStatistics statistics, String title, int panelWidth,
            int panelHeight) {
        Objects.requireNonNull(statistics, "statistics must not be null");
        Objects.requireNonNull(title, "title must not be null");
        PngFiles.validateSize("panelWidth", panelWidth);
        PngFiles.validateSize("panelHeight", panelHeight);

        String prefix = title.isBlank() ? "" : title + ": ";
        CategoryChart activations = createPanel(prefix + "coding activations", "Activation", "% of activations",
                statistics.getActivationHistogram(), panelWidth, panelHeight);
        String unitTitle = String.format(Locale.ROOT, "%smean activation per unit (target p = %s)", prefix,
                statistics.getTargetSparsity());
        CategoryChart units = createPanel(unitTitle, "Neuron mean activation", "% of neurons",
                statistics.getUnitMeanHistogram(), panelWidth, panelHeight);
        return List.of(activations, units);
    }

    private static CategoryChart createPanel(String title, String xTitle, String yTitle, double[] shares, int width,
            int height) {
        CategoryChart chart = new CategoryChartBuilder()
                .width(width)
                .height(height)
                .title(title)
                .xAxisTitle(xTitle)
                .yAxisTitle(yTitle)
                .build();
        CategoryStyler styler = chart.getStyler();
        styler.setLegendVisible(false);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setAvailableSpaceFill(0.9);
        List<Double> percentages = toPercentages(shares);
        styler.setYAxisMin(0.0);
        styler.setYAxisMax(yAxisMax(percentages));
        styler.setYAxisDecimalPattern("0.#");
        chart.addSeries(yTitle, binLabels(), percentages);
        return chart;
    }

    /**
     * Returns the tallest bar plus 5 %, rounded up to a multiple of 5, at least 5, and 105 in place of any value
     * from 100 up. XChart 3.8.8 drew only the ticks 0 and 100 on an axis ending at 100, but ticks every 10 on
     * one ending at 105.
     */
    static double yAxisMax(List<Double> percentages) {
        double tallest = percentages.stream().mapToDouble(Double::doubleValue).max().orElse(0.0);
        double rounded = Math.max(5.0, 5.0 * Math.ceil(tallest * 1.05 / 5.0));
        return rounded >= 100.0 ? 105.0 : rounded;
    }

    /** Returns labels "0.0-0.1" to "0.9-1.0" for the bins of {@link SparsityStatistics}. */
    static List<String> binLabels() {
        List<String> labels = new ArrayList<>(SparsityStatistics.BIN_COUNT);
        for (int k = 0; k < SparsityStatistics.BIN_COUNT; k++) {
            labels.add(String.format(Locale.ROOT, "%.1f-%.1f", k * SparsityStatistics.BIN_WIDTH,
                    (k + 1) * SparsityStatistics.BIN_WIDTH));
        }
        return labels;
    }

    private static List<Double> toPercentages(double[] shares) {
        List<Double> percentages = new ArrayList<>(shares.length);
        for (double share : shares) {
            percentages.add(100.0 * share);
        }
        return percentages;
    }
}
