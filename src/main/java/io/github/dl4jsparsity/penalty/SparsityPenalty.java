package io.github.dl4jsparsity.penalty;

/**
 * Kind of activity penalty that a {@link io.github.dl4jsparsity.conf.SparsityLayer} adds to the training loss.
 *
 * <p>For a minibatch of coding activations {@code a} with shape [m, n] (m examples, n units), let
 * {@code q_j = (1/m) sum_i a_ij} be the mean activation of unit j, {@code p} the target sparsity and {@code beta} the
 * penalty weight. Before {@link PenaltyScaling} is applied, each kind is:
 * <ul>
 *   <li>{@link #KL}: {@code beta * sum_j [p ln(p / q_j) + (1 - p) ln((1 - p) / (1 - q_j))]}, the Kullback-Leibler
 *       divergence between Bernoulli(p) and Bernoulli(q_j) summed over units (Ng, CS294A lecture notes, "Sparse
 *       autoencoder"; Géron, Hands-On Machine Learning, chapter 17).</li>
 *   <li>{@link #L1}: {@code beta * sum_ij |a_ij|}, the L1 activity penalty of the book's first sparse autoencoder. It
 *       ignores p and accepts any activation function.</li>
 *   <li>{@link #MSE}: {@code beta * sum_j (q_j - p)^2}.</li>
 *   <li>{@link #MAE}: {@code beta * sum_j |q_j - p|}.</li>
 * </ul>
 * KL, MSE and MAE need activations in [0, 1]; the layer configuration checks the wrapped layer's activation function.
 */
public enum SparsityPenalty {
    /** Kullback-Leibler divergence between the target sparsity and each unit's mean activation. */
    KL,
    /** Sum of absolute activations over the minibatch and the units. */
    L1,
    /** Sum over units of the squared difference between the mean activation and the target. */
    MSE,
    /** Sum over units of the absolute difference between the mean activation and the target. */
    MAE;

    /** Returns whether this penalty compares mean activations with a target and so needs values in [0, 1]. */
    public boolean needsUnitInterval() {
        return this != L1;
    }
}
