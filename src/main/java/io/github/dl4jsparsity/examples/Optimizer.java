package io.github.dl4jsparsity.examples;

import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nadam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

/** Optimizer of the example autoencoder, as named on the command line, with its default learning rate. */
public enum Optimizer {
    /**
     * Plain SGD; default rate 4/784, the Keras rate 4.0 on DL4J's loss, which is 784 times larger. The book uses
     * Keras rate 1.0, which is 1/784 here.
     */
    SGD(GeronAutoencoder.DEFAULT_KERAS_LEARNING_RATE / GeronAutoencoder.KERAS_LOSS_RATIO),
    /**
     * SGD with Nesterov momentum 0.9; default rate 0.1/784, so that the step size in a steady direction, rate / (1 -
     * momentum), equals the book's plain SGD rate.
     */
    NESTEROVS(0.1 * GeronAutoencoder.KERAS_LEARNING_RATE / GeronAutoencoder.KERAS_LOSS_RATIO),
    /** Adam; it rescales gradients, so the usual Keras rate carries over. */
    ADAM(1e-3),
    /** Nadam; it rescales gradients, so the usual Keras rate carries over. */
    NADAM(1e-3);

    /** Momentum of {@link #NESTEROVS}, the usual value. */
    public static final double MOMENTUM = 0.9;

    private final double defaultLearningRate;

    Optimizer(double defaultLearningRate) {
        this.defaultLearningRate = defaultLearningRate;
    }

    /** Returns the learning rate used when none is given. */
    public double defaultLearningRate() {
        return defaultLearningRate;
    }

    /** Returns the DL4J updater with the given learning rate. */
    public IUpdater updater(double learningRate) {
        return switch (this) {
            case SGD -> new Sgd(learningRate);
            case NESTEROVS -> new Nesterovs(learningRate, MOMENTUM);
            case ADAM -> new Adam(learningRate);
            case NADAM -> new Nadam(learningRate);
        };
    }
}
