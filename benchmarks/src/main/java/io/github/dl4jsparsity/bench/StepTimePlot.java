package io.github.dl4jsparsity.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Plots training step time against minibatch size from JMH JSON results: DL4J without a penalty, DL4J with the
 * library's KL wrapper, and PyTorch through DJL with and without the penalty, one line per coding width. Each input
 * file gets its own chart, titled with the thread count from its {@code -Dbench.threads} JVM argument. Error bars
 * are JMH's score errors, cut at 1% of the score where they would reach zero on the logarithmic axis.
 *
 * <p>Usage: {@code StepTimePlot OUTPUT.png TITLE RESULT.json [RESULT.json ...]}.
 */
public final class StepTimePlot {

    private static final String TRAINING = TrainingStepBenchmark.class.getName() + ".fitStep";
    private static final String TORCH = TorchTrainingStepBenchmark.class.getName() + ".trainStep";

    private StepTimePlot() {
    }

    /** One plotted line: a benchmark, the parameters that select it apart from the minibatch, and its colour. */
    private record Line(String label, String benchmark, String paramName, String paramValue, Color color) {
    }

    private static final List<Line> LINES = List.of(
            new Line("DL4J baseline", TRAINING, "variant", "BASELINE", new Color(0x1f77b4)),
            new Line("DL4J + library KL", TRAINING, "variant", "LIBRARY", new Color(0xd62728)),
            new Line("PyTorch", TORCH, "penalized", "false", new Color(0x2ca02c)),
            new Line("PyTorch + KL", TORCH, "penalized", "true", new Color(0xff7f0e)));

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("Usage: StepTimePlot OUTPUT.png TITLE RESULT.json [RESULT.json ...]");
            System.exit(2);
        }
        Path output = Path.of(args[0]);
        List<XYChart> charts = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            charts.add(chart(args[1], Path.of(args[i])));
        }
        if (output.getParent() != null) {
            Files.createDirectories(output.getParent());
        }
        BitmapEncoder.saveBitmap(new ArrayList<>(charts), 1, charts.size(), output.toString(),
                BitmapEncoder.BitmapFormat.PNG);
        System.out.println("Wrote " + output.toAbsolutePath());
    }

    private static XYChart chart(String title, Path resultFile) throws IOException {
        JsonArray results;
        try (Reader reader = Files.newBufferedReader(resultFile)) {
            results = JsonParser.parseReader(reader).getAsJsonArray();
        }
        String threads = threadsOf(results);
        XYChart chart = new XYChartBuilder().width(800).height(600)
                .title(title + ", " + threads + " thread(s)")
                .xAxisTitle("minibatch size").yAxisTitle("ms per training step").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        int plotted = 0;
        for (Line line : LINES) {
            for (String units : List.of("300", "2000")) {
                Map<Integer, double[]> points = points(results, line, units);
                if (points.isEmpty()) {
                    continue;
                }
                double[] x = points.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
                double[] y = points.values().stream().mapToDouble(p -> p[0]).toArray();
                double[] error = points.values().stream().mapToDouble(p -> p[1]).toArray();
                XYSeries series = chart.addSeries(line.label() + ", " + units + " coding units", x, y, error);
                series.setLineColor(line.color());
                series.setMarkerColor(line.color());
                series.setMarker("300".equals(units) ? SeriesMarkers.CIRCLE : SeriesMarkers.SQUARE);
                if ("2000".equals(units)) {
                    series.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                            new float[] {6f, 4f}, 0f));
                }
                plotted++;
            }
        }
        if (plotted == 0) {
            throw new IllegalArgumentException("No training step results found in " + resultFile
                    + ": expected entries of " + TRAINING + " or " + TORCH);
        }
        return chart;
    }

    /** Returns minibatch size to {score, score error} in ms for one line and coding width. */
    private static Map<Integer, double[]> points(JsonArray results, Line line, String units) {
        Map<Integer, double[]> points = new TreeMap<>();
        for (JsonElement element : results) {
            JsonObject result = element.getAsJsonObject();
            JsonObject params = result.getAsJsonObject("params");
            if (!line.benchmark().equals(result.get("benchmark").getAsString()) || params == null
                    || !line.paramValue().equals(params.get(line.paramName()).getAsString())
                    || !units.equals(params.get("codingUnits").getAsString())) {
                continue;
            }
            JsonObject metric = result.getAsJsonObject("primaryMetric");
            String unit = metric.get("scoreUnit").getAsString();
            if (!"ms/op".equals(unit)) {
                throw new IllegalArgumentException("Unsupported score unit " + unit + " in " + line.benchmark()
                        + ": the plot expects ms/op");
            }
            double score = metric.get("score").getAsDouble();
            double error = metric.get("scoreError").getAsDouble();
            // The y axis is logarithmic, so an error bar may not reach zero: one larger than the score is drawn
            // down to 1% of the score instead. docs/benchmarks.md gives the full errors.
            error = Double.isNaN(error) ? 0.0 : Math.min(error, 0.99 * score);
            points.put(params.get("minibatch").getAsInt(), new double[] {score, error});
        }
        return points;
    }

    /** Returns the value of {@code -Dbench.threads=} from the first result's JVM arguments, or "unknown". */
    private static String threadsOf(JsonArray results) {
        String prefix = "-D" + ThreadSettings.THREADS_PROPERTY + "=";
        for (JsonElement argument : results.get(0).getAsJsonObject().getAsJsonArray("jvmArgs")) {
            if (argument.getAsString().startsWith(prefix)) {
                return argument.getAsString().substring(prefix.length());
            }
        }
        return "unknown";
    }
}
