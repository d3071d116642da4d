package io.github.dl4jsparsity.bench;

import java.util.ArrayList;
import java.util.List;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;

/**
 * The autoencoder of {@link Autoencoders} in PyTorch through DJL, with parameters as plain NDArrays so that the KL
 * penalty can be applied to the coding activations. Gradients come from PyTorch autograd through DJL's
 * {@link GradientCollector}, and the update is plain SGD with the same learning rate as the DL4J networks.
 *
 * <p>The loss matches DL4J's score: binary cross-entropy summed over the 784 outputs and averaged over the minibatch,
 * plus the penalty once per minibatch. Instances are not thread-safe.
 */
public final class TorchAutoencoder implements AutoCloseable {

    private final NDManager manager;
    private final boolean penalized;
    private final List<NDArray> parameters = new ArrayList<>();
    private final NDArray[] weights = new NDArray[4];
    private final NDArray[] biases = new NDArray[4];

    /**
     * Creates the network with Xavier-uniform weights from PyTorch's generator seeded with {@link Autoencoders#SEED}
     * and zero biases.
     *
     * @param codingUnits width of the sigmoid coding layer
     * @param penalized whether the KL penalty is added to the loss
     */
    public TorchAutoencoder(int codingUnits, boolean penalized) {
        ThreadSettings.configureDjl();
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed((int) Autoencoders.SEED);
        this.manager = engine.newBaseManager();
        this.penalized = penalized;
        int[] widths = {Autoencoders.INPUTS, Autoencoders.HIDDEN, codingUnits, Autoencoders.HIDDEN,
                Autoencoders.INPUTS};
        for (int layer = 0; layer < 4; layer++) {
            int fanIn = widths[layer];
            int fanOut = widths[layer + 1];
            float limit = (float) Math.sqrt(6.0 / (fanIn + fanOut));
            weights[layer] = manager.randomUniform(-limit, limit, new Shape(fanIn, fanOut));
            biases[layer] = manager.zeros(new Shape(fanOut));
            parameters.add(weights[layer]);
            parameters.add(biases[layer]);
        }
        for (NDArray parameter : parameters) {
            parameter.setRequiresGradient(true);
        }
    }

    /** Copies a [m, 784] row-major float input into an NDArray owned by this network. */
    public NDArray input(float[] values, int minibatch) {
        return manager.create(values, new Shape(minibatch, Autoencoders.INPUTS));
    }

    /**
     * Runs one SGD step on a minibatch whose targets are its inputs.
     *
     * @param input [m, 784] inputs in [0, 1], created by {@link #input(float[], int)}
     * @return the loss before the update
     */
    public float trainStep(NDArray input) {
        try (NDScope ignored = new NDScope()) {
            float loss;
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray total = loss(input);
                collector.backward(total);
                loss = total.getFloat();
            }
            // Grad mode is off once the collector is closed, so the in-place updates are not recorded.
            for (NDArray parameter : parameters) {
                NDArray gradient = parameter.getGradient();
                parameter.subi(gradient.mul((float) Autoencoders.LEARNING_RATE));
                gradient.muli(0);
            }
            return loss;
        }
    }

    /** Returns the mean cross-entropy per example plus, if penalized, the KL penalty of the coding layer. */
    private NDArray loss(NDArray input) {
        NDArray[] coding = forward(input);
        NDArray reconstruction = coding[1];
        int minibatch = (int) input.getShape().get(0);
        NDArray logLikelihood = input.mul(reconstruction.log())
                .add(input.neg().add(1f).mul(reconstruction.neg().add(1f).log()));
        NDArray total = logLikelihood.sum().div((float) -minibatch);
        if (penalized) {
            total = total.add(klPenalty(coding[0]));
        }
        return total;
    }

    /**
     * Returns beta * sum_j KL(p || q'_j) with q'_j = eps + (1 - 2 eps) q_j, as the library defines it. The constants
     * are floats because a Java double becomes a float64 scalar in DJL, which would promote the 0-d loss to float64.
     */
    private static NDArray klPenalty(NDArray coding) {
        float p = (float) Autoencoders.TARGET;
        float eps = (float) Autoencoders.EPSILON;
        float constant = (float) (Autoencoders.TARGET * Math.log(Autoencoders.TARGET)
                + (1.0 - Autoencoders.TARGET) * Math.log(1.0 - Autoencoders.TARGET));
        NDArray squeezed = coding.mean(new int[] {0}).mul(1f - 2f * eps).add(eps);
        NDArray oneMinus = squeezed.neg().add(1f);
        NDArray kl = squeezed.log().mul(-p).add(oneMinus.log().mul(-(1f - p))).add(constant);
        return kl.sum().mul((float) Autoencoders.WEIGHT);
    }

    /** Returns the coding activations and the reconstruction. */
    private NDArray[] forward(NDArray input) {
        NDArray hidden = Activation.selu(input.matMul(weights[0]).add(biases[0]));
        NDArray coding = Activation.sigmoid(hidden.matMul(weights[1]).add(biases[1]));
        NDArray decoded = Activation.selu(coding.matMul(weights[2]).add(biases[2]));
        NDArray reconstruction = Activation.sigmoid(decoded.matMul(weights[3]).add(biases[3]));
        return new NDArray[] {coding, reconstruction};
    }

    @Override
    public void close() {
        manager.close();
    }
}
