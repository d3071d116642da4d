package io.github.dl4jsparsity.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import io.github.dl4jsparsity.conf.SparsityLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import picocli.CommandLine;

class SparseAutoencoderCliTest {

    @TempDir
    Path tempDir;

    private record Execution(int exitCode, String out, String err) {
    }

    private static Execution execute(String... args) {
        CommandLine commandLine = SparseAutoencoderCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Execution(exitCode, out.toString(), err.toString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readJson(Path file) throws Exception {
        return new ObjectMapper().readValue(file.toFile(), Map.class);
    }

    private static void assertImage(Path file, int width, int height) throws Exception {
        assertTrue(Files.isRegularFile(file), "missing " + file);
        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(width, image.getWidth(), file + " width");
        assertEquals(height, image.getHeight(), file + " height");
    }

    private static double number(Map<String, Object> map, String key) {
        return ((Number) map.get(key)).doubleValue();
    }

    @Test
    void trainOnEmbeddedSubsetWritesReport() throws Exception {
        Path output = tempDir.resolve("train");

        Execution run = execute("train", "--embedded", "--epochs", "2", "--max-train", "640", "--max-test", "200",
                "--output", output.toString(), "--save-model");

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(Files.readString(output.resolve("report.md")).contains("| kl |"));
        Map<String, Object> report = readJson(output.resolve("report.json"));
        assertTrue(((String) report.get("data")).contains("embedded subset"), (String) report.get("data"));
        List<Map<String, Object>> runs = (List<Map<String, Object>>) report.get("runs");
        assertEquals(1, runs.size());
        Map<String, Object> kl = runs.get(0);
        assertEquals("kl", kl.get("penalty"));
        assertEquals(9.8, number(kl, "weight"), 1e-9);
        double loss = number(kl, "testReconstructionLoss");
        assertTrue(loss > 50 && loss < 600, "reconstruction loss per image " + loss);
        double meanQ = number(kl, "meanOfUnitMeans");
        assertTrue(meanQ > 0 && meanQ < 1, "mean q " + meanQ);
        double below = number(kl, "shareOfActivationsBelow0.1");
        assertTrue(below >= 0 && below <= 1, "share below 0.1 " + below);
        assertTrue(Double.isFinite(number(kl, "testKlDivergence")));
        assertEquals(2, ((List<?>) kl.get("epochs")).size());
        assertImage(output.resolve("kl/histograms.png"), 1600, 500);
        assertTrue(Files.size(output.resolve("kl/reconstructions.png")) > 0);
        BufferedImage grid = ImageIO.read(output.resolve("kl/reconstructions.png").toFile());
        assertTrue(grid.getWidth() > grid.getHeight(), "grid of 10 pairs is wider than high");
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(output.resolve("kl/model.zip")
                .toFile(), true);
        assertTrue(restored.getLayerWiseConfigurations().getConf(1).getLayer() instanceof SparsityLayer);
    }

    @Test
    void compareOnSmallSlicePrintsThreeRuns() throws Exception {
        Path output = tempDir.resolve("compare");

        Execution run = execute("compare", "--embedded", "--epochs", "1", "--max-train", "320", "--max-test", "100",
                "--output", output.toString());

        assertEquals(0, run.exitCode(), run.err());
        Map<String, Object> report = readJson(output.resolve("report.json"));
        List<Map<String, Object>> runs = (List<Map<String, Object>>) report.get("runs");
        assertEquals(List.of("none", "l1", "kl"), runs.stream().map(r -> r.get("penalty")).toList());
        assertEquals(0.0, number(runs.get(0), "weight"));
        assertEquals(0.784, number(runs.get(1), "weight"), 1e-12);
        for (Map<String, Object> row : runs) {
            assertTrue(Double.isFinite(number(row, "testReconstructionLoss")), row.toString());
            assertTrue(number(row, "trainingSeconds") > 0, row.toString());
        }
        String markdown = Files.readString(output.resolve("report.md"));
        for (String name : List.of("| none |", "| l1 |", "| kl |")) {
            assertTrue(markdown.contains(name), markdown);
        }
        for (String name : List.of("none", "l1", "kl")) {
            assertImage(output.resolve(name + "/histograms.png"), 1600, 500);
        }
    }

    @Test
    void penaltyCurvesMatchFigure() {
        PlotPenaltiesCommand.Curves curves = PlotPenaltiesCommand.curves(0.1);

        assertEquals(999, curves.q().length);
        assertEquals(0.3, curves.q()[299], 1e-12);
        assertEquals(0.116322, curves.kl()[299], 1e-6);
        assertEquals(0.04, curves.mse()[299], 1e-12);
        assertEquals(0.2, curves.mae()[299], 1e-12);
        assertEquals(0.01, curves.q()[9], 1e-12);
        assertEquals(0.144479, curves.kl()[9], 1e-6);
    }

    @Test
    void plotPenaltiesWritesPng() throws Exception {
        Path file = tempDir.resolve("figures/penalties.png");

        Execution run = execute("plot-penalties", "--output", file.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertImage(file, 800, 500);
    }

    @ParameterizedTest
    @ValueSource(strings = {"train", "compare", "plot-penalties"})
    void helpListsEveryOptionWithDefault(String command) {
        Execution run = execute(command, "--help");

        assertEquals(0, run.exitCode());
        CommandLine sub = SparseAutoencoderCli.commandLine().getSubcommands().get(command);
        for (CommandLine.Model.OptionSpec option : sub.getCommandSpec().options()) {
            assertTrue(run.out().contains(option.longestName()), "help lacks " + option.longestName());
            boolean flag = option.typeInfo().isBoolean();
            String description = String.join(" ", option.description());
            assertTrue(flag || description.contains("Default"), option.longestName() + " states no default: "
                    + description);
        }
    }

    @Test
    void missingDataDirectoryReportsError() {
        Path missing = tempDir.resolve("no-such-dir");

        Execution run = execute("train", "--data", missing.toString(), "--epochs", "1");

        assertEquals(2, run.exitCode());
        assertEquals("Error: Fashion-MNIST directory not found: " + missing.toAbsolutePath()
                + " (explicit data directory)\n", run.err());
    }

    @Test
    void floatOverflowingWeightRejected() {
        Execution train = execute("train", "--embedded", "--epochs", "1", "--max-train", "64", "--max-test", "10",
                "--weight", "1e39", "--output", tempDir.toString());
        Execution compare = execute("compare", "--embedded", "--epochs", "1", "--max-train", "64", "--max-test",
                "10", "--kl-weight", "1e39", "--output", tempDir.toString());

        assertEquals(2, train.exitCode());
        assertTrue(train.err().startsWith("Invalid --weight 1.0E39: the example network computes in float32, so the "
                + "penalty weight must be at most 3.4028235E38"), train.err());
        assertEquals(2, compare.exitCode());
        assertTrue(compare.err().startsWith("Invalid --kl-weight 1.0E39: the example network computes in float32"),
                compare.err());
        assertTrue(Files.notExists(tempDir.resolve("none")), "no run may start before the options are checked");
    }

    @Test
    void divergedTrainingReportedWithoutStackTrace() {
        // With weight 1e38 the first minibatch's float32 penalty overflows to infinity on any CPU. A weight of 1e30
        // made the penalty non-finite on one machine, but on another it only saturated every unit at 0.
        Execution run = execute("train", "--embedded", "--epochs", "1", "--max-train", "64", "--max-test", "10",
                "--penalty", "l1", "--weight", "1e38", "--output", tempDir.toString());

        assertEquals(1, run.exitCode());
        assertTrue(run.err().startsWith("Error: "), run.err());
        assertTrue(run.err().contains("lower the learning rate"), run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace expected: " + run.err());
    }

    @Test
    void invalidTargetRejectedBeforeTraining() {
        Execution run = execute("compare", "--embedded", "--target", "1.5", "--output", tempDir.toString());

        assertEquals(2, run.exitCode());
        assertTrue(run.err().startsWith("Invalid --target 1.5: the target sparsity must lie in (0, 1), for example "
                + "0.1"), run.err());
        assertTrue(Files.notExists(tempDir.resolve("none")), "no run may start before the options are checked");
    }

    @Test
    void outputFileRejected() throws Exception {
        Path file = Files.writeString(tempDir.resolve("not-a-directory"), "x");

        Execution run = execute("train", "--embedded", "--output", file.toString());

        assertEquals(2, run.exitCode());
        assertTrue(run.err().startsWith("Invalid --output " + file + ": it is a file, not a directory; pass a "
                + "directory, which is created if missing"), run.err());
    }

    @Test
    void invalidSliceAndWeightsRejected() {
        Execution maxTrain = execute("train", "--max-train", "0");
        Execution klWeight = execute("compare", "--kl-weight", "-1");
        Execution weight = execute("train", "--weight", "NaN");

        assertTrue(maxTrain.err().startsWith("Invalid --max-train 0: it must be >= 1"), maxTrain.err());
        assertTrue(klWeight.err().startsWith("Invalid --kl-weight -1.0: the penalty weight must be a finite number "
                + ">= 0"), klWeight.err());
        assertTrue(weight.err().startsWith("Invalid --weight NaN: the penalty weight must be a finite number >= 0"),
                weight.err());
        assertEquals(2, maxTrain.exitCode());
        assertEquals(2, klWeight.exitCode());
        assertEquals(2, weight.exitCode());
    }

    @Test
    void invalidEpochsRejected() {
        Execution run = execute("train", "--epochs", "0");

        assertEquals(2, run.exitCode());
        assertTrue(run.err().startsWith("Invalid --epochs 0: it must be >= 1"), run.err());
    }
}
