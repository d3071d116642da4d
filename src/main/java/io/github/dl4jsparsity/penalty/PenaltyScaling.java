package io.github.dl4jsparsity.penalty;

/**
 * How the penalty of one minibatch enters DL4J's score.
 *
 * <p>DL4J's score is the mean loss per example: the loss summed over a minibatch of m examples and divided by m. The
 * updater likewise divides the summed gradients by m.
 * <ul>
 *   <li>{@link #PER_MINIBATCH} adds the penalty once per minibatch: {@code score = loss_sum / m + penalty}. The
 *       weight therefore means the same at every batch size for KL, MSE and MAE, which depend on the batch only
 *       through the mean activations.</li>
 *   <li>{@link #PER_EXAMPLE} divides the penalty by m: {@code score = loss_sum / m + penalty / m}. This is how
 *       tf.keras 2 treats activity regularizers, so a Keras weight carries over unchanged, as long as the
 *       reconstruction losses are on the same scale (see docs/keras-mapping.md).</li>
 * </ul>
 */
public enum PenaltyScaling {
    /** Adds the penalty once per minibatch to the mean loss per example. */
    PER_MINIBATCH,
    /** Adds the penalty divided by the minibatch size, as tf.keras 2 does for activity regularizers. */
    PER_EXAMPLE
}
