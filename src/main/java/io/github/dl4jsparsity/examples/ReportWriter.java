package io.github.dl4jsparsity.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

/** Writes the side-by-side table of one or more runs as {@code report.md} and {@code report.json}. */
final class ReportWriter {

    private static final String HEADER = "| run | test reconstruction loss per image | per pixel | KL(p‖q) on test "
            + "| mean q | activations < 0.1 | units with mean in [0.1, 0.2] | training time (s) |";

    private ReportWriter() {
    }

    /** Returns the Markdown table of the runs. */
    static String table(List<RunResult> runs) {
        StringBuilder table = new StringBuilder(HEADER).append('\n');
        table.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (RunResult run : runs) {
            table.append(String.format(Locale.ROOT, "| %s | %.3f | %.5f | %.4f | %.4f | %.1f%% | %.1f%% | %.1f |%n",
                    run.name(), run.testReconstructionLoss(), run.testReconstructionLossPerPixel(),
                    run.testKlDivergence(), run.statistics().getMeanOfUnitMeans(),
                    100 * run.statistics().getShareOfActivationsBelowThreshold(),
                    100 * run.statistics().getShareOfUnitsInBand(), run.trainingSeconds()));
        }
        return table.toString();
    }

    /** Writes both report files into {@code directory} and returns the Markdown table. */
    static String write(Path directory, String dataDescription, int epochs, int batchSize, List<RunResult> runs)
            throws IOException {
        Files.createDirectories(directory);
        String table = table(runs);
        StringBuilder markdown = new StringBuilder("# Sparse autoencoder on Fashion-MNIST\n\n");
        markdown.append("Data: ").append(dataDescription).append(".\n\n");
        markdown.append(String.format(Locale.ROOT, "%d epochs, minibatch %d; statistics on the test images. "
                + "Reconstruction loss is binary cross-entropy summed over the 784 pixels of an image (DL4J's "
                + "scale); \"per pixel\" divides it by 784 (the scale Keras reports). KL(p‖q) is "
                + "sum_j KL(p ‖ q_j) over the coding units with weight 1, q_j taken over all test images.%n%n",
                epochs, batchSize));
        markdown.append(table).append('\n');
        for (RunResult run : runs) {
            markdown.append(String.format(Locale.ROOT, "- %s: figures `%s/histograms.png` and "
                    + "`%s/reconstructions.png`%n", run.name(), run.name(), run.name()));
        }
        Files.writeString(directory.resolve("report.md"), markdown.toString());

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("data", dataDescription);
        json.put("epochs", epochs);
        json.put("batchSize", batchSize);
        json.put("runs", runs.stream().map(RunResult::toMap).toList());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(directory.resolve("report.json").toFile(), json);
        return table;
    }
}
