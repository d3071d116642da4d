package io.github.dl4jsparsity.examples;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.dl4jsparsity.report.SparsityStatistics;

/**
 * Outcome of training one autoencoder: per-epoch training figures and the statistics on the test images.
 *
 * @param name run name, also the name of its output folder
 * @param settings network settings
 * @param epochs per-epoch training summaries
 * @param testReconstructionLoss binary cross-entropy per test image, summed over its 784 pixels (DL4J's scale)
 * @param testKlDivergence {@code sum_j KL(p || q_j)} over coding units, q from all test images, weight 1
 * @param testL1PerImage mean over test images of {@code sum_j |a_j|}
 * @param statistics coding-layer statistics on the test images
 * @param trainingSeconds wall time of training, without evaluation
 */
public record RunResult(String name, GeronAutoencoder.Settings settings, List<EpochSummary> epochs,
                        double testReconstructionLoss, double testKlDivergence, double testL1PerImage,
                        SparsityStatistics statistics, double trainingSeconds) {

    /**
     * Training figures of one epoch.
     *
     * @param epoch epoch number, from 1
     * @param reconstructionLoss mean training reconstruction loss per image over the epoch's minibatches
     * @param penalty mean penalty term of the score over the epoch's minibatches
     * @param seconds wall time of the epoch
     */
    public record EpochSummary(int epoch, double reconstructionLoss, double penalty, double seconds) {
    }

    /** Returns the test reconstruction loss per pixel, the scale Keras reports. */
    public double testReconstructionLossPerPixel() {
        return testReconstructionLoss / GeronAutoencoder.INPUTS;
    }

    /** Returns the figures as an ordered map for JSON output. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("penalty", settings.penalty().label());
        map.put("target", settings.target());
        map.put("weight", settings.weight());
        map.put("scaling", settings.scaling().name());
        map.put("optimizer", settings.optimizer().name());
        map.put("learningRate", settings.learningRate());
        map.put("seed", settings.seed());
        map.put("testReconstructionLoss", testReconstructionLoss);
        map.put("testReconstructionLossPerPixel", testReconstructionLossPerPixel());
        map.put("testKlDivergence", testKlDivergence);
        map.put("testL1PerImage", testL1PerImage);
        map.put("meanOfUnitMeans", statistics.getMeanOfUnitMeans());
        map.put("shareOfActivationsBelow0.1", statistics.getShareOfActivationsBelowThreshold());
        map.put("shareOfUnitsWithMeanIn[0.1,0.2]", statistics.getShareOfUnitsInBand());
        map.put("trainingSeconds", trainingSeconds);
        map.put("epochs", epochs.stream().map(e -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", e.epoch());
            row.put("reconstructionLoss", e.reconstructionLoss());
            row.put("penalty", e.penalty());
            row.put("seconds", e.seconds());
            return row;
        }).toList());
        map.put("statistics", statistics.toMap());
        return map;
    }
}
