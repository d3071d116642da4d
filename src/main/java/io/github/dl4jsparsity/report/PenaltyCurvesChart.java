package io.github.dl4jsparsity.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Line chart of three sparsity penalties against the actual sparsity q of a unit, for one target sparsity p, in the
 * style of Figure 17-10 of Géron, "Hands-On Machine Learning", chapter 17.
 *
 * <p>The x axis is q (dimensionless, typically 0.001 to 0.999), the y axis the penalty value. The curves are
 * labelled "KL divergence", "MAE" and "MSE", and a dashed vertical line marks q = p. This class only draws: the
 * caller computes the penalty values, for example with the library's own penalty implementations, so that the
 * figure shows what the library computes. The default image is {@value #DEFAULT_WIDTH} x
 * {@value #DEFAULT_HEIGHT} pixels.
 */
public final class PenaltyCurvesChart {

    /** Default image width in pixels. */
    public static final int DEFAULT_WIDTH = 800;

    /** Default image height in pixels. */
    public static final int DEFAULT_HEIGHT = 500;

    private static final String[] CURVE_NAMES = {"KL divergence", "MAE", "MSE"};

    private PenaltyCurvesChart() {
    }

    /** Writes the three penalty curves to {@code output} as a PNG of the default size. */
    public static void write(double[] actualSparsity, double[] klDivergence, double[] meanAbsoluteError,
            double[] meanSquaredError, double targetSparsity, Path output) throws IOException {
        write(actualSparsity, klDivergence, meanAbsoluteError, meanSquaredError, targetSparsity, output,
                DEFAULT_WIDTH, DEFAULT_HEIGHT);
    }

    /**
     * Writes the three penalty curves to {@code output} as a PNG of {@code width} x {@code height} pixels, creating
     * missing parent directories.
     *
     * @param actualSparsity q values, at least 2, strictly increasing, each in the open interval (0, 1)
     * @param klDivergence KL divergence penalty at each q, same length as {@code actualSparsity}, finite
     * @param meanAbsoluteError MAE penalty |p - q| at each q, same length, finite
     * @param meanSquaredError MSE penalty (p - q)^2 at each q, same length, finite
     * @param targetSparsity target p in the open interval (0, 1), drawn as a vertical line
     * @throws IOException if a directory or the file cannot be written, with the path in the message
     */
    public static void write(double[] actualSparsity, double[] klDivergence, double[] meanAbsoluteError,
            double[] meanSquaredError, double targetSparsity, Path output, int width, int height)
            throws IOException {
        XYChart chart = createChart(actualSparsity, klDivergence, meanAbsoluteError, meanSquaredError,
                targetSparsity, width, height);
        PngFiles.writeCharts(List.of(chart), 1, 1, output, "penalty curves");
    }

    /** Creates the chart that {@link #write} saves, after the same argument checks. */
    public static XYChart createChart(double[] actualSparsity, double[] klDivergence, double[] meanAbsoluteError,
            double[] meanSquaredError, double targetSparsity, int width, int height) {
        validateSparsityAxis(actualSparsity);
        double[][] curves = {klDivergence, meanAbsoluteError, meanSquaredError};
        String[] argumentNames = {"klDivergence", "meanAbsoluteError", "meanSquaredError"};
        for (int c = 0; c < curves.length; c++) {
            validateCurve(argumentNames[c], curves[c], actualSparsity.length);
        }
        if (!(targetSparsity > 0.0 && targetSparsity < 1.0)) {
            throw new IllegalArgumentException(
                    "targetSparsity must be in the open interval (0, 1), but was " + targetSparsity);
        }
        PngFiles.validateSize("width", width);
        PngFiles.validateSize("height", height);

        String targetText = String.format(Locale.ROOT, "target p = %s", targetSparsity);
        XYChart chart = new XYChartBuilder()
                .width(width)
                .height(height)
                .title("Sparsity penalties, " + targetText)
                .xAxisTitle("Actual sparsity q")
                .yAxisTitle("Penalty")
                .build();
        XYStyler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.InsideNE);
        styler.setXAxisMin(0.0);
        styler.setXAxisMax(1.0);
        styler.setYAxisMin(0.0);
        // No x decimal pattern or label formatter: with either one, XChart 3.8.8 printed tick labels that did not
        // match the tick positions (a marker at q = 0.5 sat under the label 0.52).
        styler.setYAxisDecimalPattern("0.0#");
        styler.setAnnotationLineColor(Color.DARK_GRAY);
        styler.setAnnotationLineStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {6f, 4f}, 0f));
        styler.setAnnotationTextFontColor(Color.DARK_GRAY);
        styler.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));

        for (int c = 0; c < curves.length; c++) {
            XYSeries series = chart.addSeries(CURVE_NAMES[c], actualSparsity, curves[c]);
            series.setMarker(SeriesMarkers.NONE);
            series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        }

        chart.addAnnotation(new AnnotationLine(targetSparsity, true, false));
        double yMax = maxOf(curves);
        // XChart centres the text on (x, y) in data coordinates, so this puts it just right of the marker line,
        // near the top of the data range.
        chart.addAnnotation(new AnnotationText(targetText, targetSparsity + 0.08, 0.92 * yMax, false));
        return chart;
    }

    private static void validateSparsityAxis(double[] actualSparsity) {
        Objects.requireNonNull(actualSparsity, "actualSparsity must not be null");
        if (actualSparsity.length < 2) {
            throw new IllegalArgumentException(
                    "actualSparsity must have at least 2 values, but has " + actualSparsity.length);
        }
        for (int i = 0; i < actualSparsity.length; i++) {
            double q = actualSparsity[i];
            if (!(q > 0.0 && q < 1.0)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "actualSparsity[%d] must be in the open interval (0, 1), but was %s", i, q));
            }
            if (i > 0 && !(q > actualSparsity[i - 1])) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "actualSparsity must be strictly increasing, but actualSparsity[%d] = %s follows %s",
                        i, q, actualSparsity[i - 1]));
            }
        }
    }

    private static void validateCurve(String name, double[] values, int expectedLength) {
        Objects.requireNonNull(values, name + " must not be null");
        if (values.length != expectedLength) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s must have one value per actualSparsity value (%d), but has %d", name, expectedLength,
                    values.length));
        }
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "%s[%d] must be finite, but was %s", name, i, values[i]));
            }
        }
    }

    private static double maxOf(double[][] curves) {
        double max = 0.0;
        for (double[] curve : curves) {
            for (double value : curve) {
                max = Math.max(max, value);
            }
        }
        return max;
    }
}
