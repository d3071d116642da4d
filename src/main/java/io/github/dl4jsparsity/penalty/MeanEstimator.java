package io.github.dl4jsparsity.penalty;

/**
 * Estimator of each unit's mean activation q_j that the penalty compares with the target.
 *
 * <ul>
 *   <li>{@link #MINIBATCH_MEAN}: {@code q_j} is the mean of unit j over the current minibatch (and over its time
 *       steps or spatial positions for rank-3 and rank-4 activations).</li>
 *   <li>{@link #MOVING_AVERAGE}: {@code qhat_j = d * qhat_prev_j + (1 - d) * q_j}, an exponential moving average
 *       across training iterations with decay d in [0, 1). The first minibatch sets {@code qhat_j = q_j}. The
 *       previous value is a constant, so the gradient flows only through the current minibatch's term
 *       {@code (1 - d) * q_j}. With d = 0, {@code qhat_j} equals the minibatch mean exactly.</li>
 * </ul>
 * L1 sums absolute activations rather than comparing a mean with the target, so it accepts only the minibatch mean.
 */
public enum MeanEstimator {
    /** Mean over the current minibatch. */
    MINIBATCH_MEAN,
    /** Exponential moving average of minibatch means across training iterations. */
    MOVING_AVERAGE
}
