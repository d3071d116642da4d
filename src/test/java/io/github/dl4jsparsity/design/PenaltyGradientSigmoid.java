package io.github.dl4jsparsity.design;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sigmoid activation whose backward pass adds the gradient of the penalty {@code w * sum(a)} over the minibatch.
 *
 * <p>DL4J's gradients are those of the summed loss (the updater divides them by m later), so the added term is
 * {@code m * w} per activation, which matches a score of {@code mean loss + w * sum(a)}.
 */
public class PenaltyGradientSigmoid extends BaseActivationFunction {

    private final ActivationSigmoid sigmoid = new ActivationSigmoid();
    private double weight;

    /** Creates an activation with weight 0; used by Jackson. */
    public PenaltyGradientSigmoid() {
    }

    /** Creates a sigmoid whose backward pass adds the gradient of {@code weight * sum(a)}. */
    public PenaltyGradientSigmoid(double weight) {
        this.weight = weight;
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return sigmoid.getActivation(in, training);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        INDArray total = epsilon.add(weight * in.size(0));
        return sigmoid.backprop(in, total);
    }

    @Override
    public String toString() {
        return "PenaltyGradientSigmoid(weight=" + weight + ")";
    }
}
