package io.github.dl4jsparsity.report;

/**
 * One measured training-step time for {@link StepTimeChart}: the minibatch size, the mean wall-clock time of one
 * step in milliseconds, and an error in milliseconds (for example one standard deviation over repeated steps) that
 * is drawn as a symmetric error bar.
 *
 * @param batchSize minibatch size in examples, at least 1
 * @param meanMillis mean step time in milliseconds, finite and at least 0
 * @param errorMillis half-length of the error bar in milliseconds, finite and at least 0 (0 for no bar)
 */
public record StepTimePoint(int batchSize, double meanMillis, double errorMillis) {

    /** Rejects a batch size below 1 and a negative or non-finite time or error. */
    public StepTimePoint {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, but was " + batchSize);
        }
        if (!(Double.isFinite(meanMillis) && meanMillis >= 0.0)) {
            throw new IllegalArgumentException("meanMillis must be finite and at least 0, but was " + meanMillis);
        }
        if (!(Double.isFinite(errorMillis) && errorMillis >= 0.0)) {
            throw new IllegalArgumentException("errorMillis must be finite and at least 0, but was " + errorMillis);
        }
    }
}
