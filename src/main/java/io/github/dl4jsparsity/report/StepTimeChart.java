package io.github.dl4jsparsity.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;

/**
 * Line chart of training-step time against minibatch size for several named series, for example "DL4J baseline",
 * "DL4J + KL wrapper" and "PyTorch".
 *
 * <p>The x axis is the minibatch size in examples, optionally on a log scale, and the y axis the mean step time in
 * milliseconds, with a symmetric error bar of {@link StepTimePoint#errorMillis()} at each point. Series are drawn
 * in the iteration order of the map, so pass a {@link java.util.LinkedHashMap} to fix the legend order. Points
 * within a series are sorted by batch size. The default image is {@value #DEFAULT_WIDTH} x
 * {@value #DEFAULT_HEIGHT} pixels.
 */
public final class StepTimeChart {

    /** Default image width in pixels. */
    public static final int DEFAULT_WIDTH = 800;

    /** Default image height in pixels. */
    public static final int DEFAULT_HEIGHT = 500;

    private StepTimeChart() {
    }

    /** Writes the chart to {@code output} as a PNG of the default size. */
    public static void write(Map<String, List<StepTimePoint>> series, String title, boolean logBatchAxis,
            Path output) throws IOException {
        write(series, title, logBatchAxis, output, DEFAULT_WIDTH, DEFAULT_HEIGHT);
    }

    /**
     * Writes the chart to {@code output} as a PNG of {@code width} x {@code height} pixels, creating missing parent
     * directories.
     *
     * @param series series name to its points, at least one series, each with at least one point and no batch size
     *     repeated
     * @param title chart title
     * @param logBatchAxis whether the batch-size axis uses a base-10 log scale
     * @throws IOException if a directory or the file cannot be written, with the path in the message
     */
    public static void write(Map<String, List<StepTimePoint>> series, String title, boolean logBatchAxis,
            Path output, int width, int height) throws IOException {
        XYChart chart = createChart(series, title, logBatchAxis, width, height);
        PngFiles.writeCharts(List.of(chart), 1, 1, output, "step time chart");
    }

    /** Creates the chart that {@link #write} saves, after the same argument checks. */
    public static XYChart createChart(Map<String, List<StepTimePoint>> series, String title, boolean logBatchAxis,
            int width, int height) {
        Objects.requireNonNull(series, "series must not be null");
        Objects.requireNonNull(title, "title must not be null");
        if (series.isEmpty()) {
            throw new IllegalArgumentException("series must contain at least one named series, but is empty");
        }
        PngFiles.validateSize("width", width);
        PngFiles.validateSize("height", height);

        XYChart chart = new XYChartBuilder()
                .width(width)
                .height(height)
                .title(title)
                .xAxisTitle(logBatchAxis ? "Minibatch size (log scale)" : "Minibatch size")
                .yAxisTitle("Step time (ms)")
                .build();
        XYStyler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.InsideNW);
        styler.setXAxisLogarithmic(logBatchAxis);
        styler.setYAxisDecimalPattern("#,##0.##");
        styler.setErrorBarsColorSeriesColor(true);

        for (Map.Entry<String, List<StepTimePoint>> entry : series.entrySet()) {
            String name = entry.getKey();
            List<StepTimePoint> points = sortedPoints(name, entry.getValue());
            double[] batchSizes = new double[points.size()];
            double[] means = new double[points.size()];
            double[] errors = new double[points.size()];
            for (int i = 0; i < points.size(); i++) {
                batchSizes[i] = points.get(i).batchSize();
                means[i] = points.get(i).meanMillis();
                errors[i] = points.get(i).errorMillis();
            }
            XYSeries added = chart.addSeries(name, batchSizes, means, errors);
            added.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        }
        return chart;
    }

    private static List<StepTimePoint> sortedPoints(String name, List<StepTimePoint> points) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("series names must not be null or blank, but got \"" + name + "\"");
        }
        if (points == null || points.isEmpty()) {
            throw new IllegalArgumentException(
                    "series \"" + name + "\" must contain at least one point, but has " + points);
        }
        List<StepTimePoint> sorted = new ArrayList<>(points);
        if (sorted.contains(null)) {
            throw new IllegalArgumentException("series \"" + name + "\" must not contain null points");
        }
        sorted.sort(Comparator.comparingInt(StepTimePoint::batchSize));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).batchSize() == sorted.get(i - 1).batchSize()) {
                throw new IllegalArgumentException(String.format(
                        "series \"%s\" must have one point per batch size, but batch size %d appears more than once",
                        name, sorted.get(i).batchSize()));
            }
        }
        return sorted;
    }
}
