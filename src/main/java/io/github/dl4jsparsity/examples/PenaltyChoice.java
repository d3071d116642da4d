package io.github.dl4jsparsity.examples;

import io.github.dl4jsparsity.penalty.SparsityPenalty;

/** Penalty on the coding layer of the example autoencoder, as named on the command line. */
public enum PenaltyChoice {
    /** No penalty: the coding layer is a plain DenseLayer. */
    NONE(null, 0.0, 0.0),
    /** L1 activity penalty; Keras weight 1e-3, the book's first sparse autoencoder, also the default. */
    L1(SparsityPenalty.L1, 1e-3, 1e-3),
    /**
     * KL divergence to the target; the book's second sparse autoencoder uses Keras weight 0.05. The default is
     * 0.0125, which with 4 times the book's learning rate reproduces the book's activation histograms in DL4J.
     */
    KL(SparsityPenalty.KL, 0.05, 0.0125);

    private final SparsityPenalty penalty;
    private final double kerasWeight;
    private final double defaultKerasWeight;

    PenaltyChoice(SparsityPenalty penalty, double kerasWeight, double defaultKerasWeight) {
        this.penalty = penalty;
        this.kerasWeight = kerasWeight;
        this.defaultKerasWeight = defaultKerasWeight;
    }

    /** Returns the library penalty, or null for {@link #NONE}. */
    public SparsityPenalty penalty() {
        return penalty;
    }

    /** Returns the weight the book uses in Keras for this penalty. */
    public double kerasWeight() {
        return kerasWeight;
    }

    /** Returns the example job's default weight for this penalty, in Keras units. */
    public double defaultKerasWeight() {
        return defaultKerasWeight;
    }

    /** Returns the lower-case name used on the command line and in reports. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
