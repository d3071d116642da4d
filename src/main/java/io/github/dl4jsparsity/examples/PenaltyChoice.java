package io.github.dl4jsparsity.examples;

import io.github.dl4jsparsity.penalty.SparsityPenalty;

/** Penalty on the coding layer of the example autoencoder, as named on the command line. */
public enum PenaltyChoice {
    /** No penalty: the coding layer is a plain DenseLayer. */
    NONE(null, 0.0),
    /** L1 activity penalty; Keras weight 1e-3, the book's first sparse autoencoder. */
    L1(SparsityPenalty.L1, 1e-3),
    /** KL divergence to the target; Keras weight 0.05, the book's second sparse autoencoder. */
    KL(SparsityPenalty.KL, 0.05);

    private final SparsityPenalty penalty;
    private final double kerasWeight;

    PenaltyChoice(SparsityPenalty penalty, double kerasWeight) {
        this.penalty = penalty;
        this.kerasWeight = kerasWeight;
    }

    /** Returns the library penalty, or null for {@link #NONE}. */
    public SparsityPenalty penalty() {
        return penalty;
    }

    /** Returns the weight the book uses in Keras for this penalty. */
    public double kerasWeight() {
        return kerasWeight;
    }

    /** Returns the lower-case name used on the command line and in reports. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
