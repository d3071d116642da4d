package io.github.dl4jsparsity.listeners;

/**
 * Penalty and mean-activation summary of one {@link io.github.dl4jsparsity.conf.SparsityLayer} at one point of
 * training, as recorded by {@link SparsityListener}.
 *
 * <p>The summary is over the n per-unit means q_j [1, n] that the layer's penalty used in its last forward pass: the
 * minibatch mean (over examples, and over time steps or spatial positions for rank-3 and rank-4 activations), qhat
 * with a moving average, or the mean absolute activation for L1. All q fields are NaN when the layer had no q (a
 * fully masked minibatch or weight 0).
 *
 * @param layerName the layer's name ("layer0" style in a MultiLayerNetwork, the vertex name in a ComputationGraph)
 * @param iteration the network's iteration count when recorded
 * @param epoch the network's epoch count when recorded
 * @param penalty the penalty as added to the score
 * @param minMean smallest q_j
 * @param meanMean mean of q_j over units
 * @param maxMean largest q_j
 * @param shareNearTarget share of units with {@code |q_j - p| <= tolerance}, in [0, 1]; NaN for L1, which has no p
 */
public record SparsityRecord(String layerName, int iteration, int epoch, double penalty, double minMean,
                             double meanMean, double maxMean, double shareNearTarget) {
}
