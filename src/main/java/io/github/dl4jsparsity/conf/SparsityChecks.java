package io.github.dl4jsparsity.conf;

import io.github.dl4jsparsity.penalty.MeanEstimator;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import org.deeplearning4j.exception.DL4JInvalidConfigException;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;

/** Validation rules of {@link SparsityLayer}, one method per rule, each with a message naming the value and range. */
final class SparsityChecks {

    private SparsityChecks() {
    }

    static void checkAll(SparsityLayer layer) {
        checkWrappedLayer(layer.getUnderlying());
        checkTarget(layer.getTarget());
        checkWeight(layer.getWeight());
        checkEpsilon(layer.getEpsilon());
        checkDecay(layer.getDecay());
        checkEstimator(layer.getPenalty(), layer.getEstimator());
        checkActivation(layer);
    }

    static void checkDecay(double decay) {
        if (!(decay >= 0.0 && decay < 1.0)) {
            throw new DL4JInvalidConfigException("Invalid decay = " + decay + ": the moving-average decay d must lie "
                    + "in [0, 1), for example 0.9 or 0.99; 0 uses the minibatch mean alone");
        }
    }

    static void checkEstimator(SparsityPenalty penalty, MeanEstimator estimator) {
        if (estimator == MeanEstimator.MOVING_AVERAGE && !penalty.needsUnitInterval()) {
            throw new DL4JInvalidConfigException("Invalid estimator MOVING_AVERAGE for the " + penalty + " penalty: "
                    + penalty + " sums absolute activations and has no mean activation to average; use "
                    + "MeanEstimator.MINIBATCH_MEAN or the KL, MSE or MAE penalty");
        }
    }

    /** Returns the layer inside a {@link TimeDistributed} wrapper, or the layer itself. */
    static Layer unwrapTimeDistributed(Layer layer) {
        return layer instanceof TimeDistributed timeDistributed ? timeDistributed.getUnderlying() : layer;
    }

    static void checkTarget(double target) {
        if (!(target > 0.0 && target < 1.0)) {
            throw new DL4JInvalidConfigException("Invalid target = " + target + ": the target sparsity p must lie "
                    + "in (0, 1), for example 0.05 or 0.1");
        }
    }

    static void checkWeight(double weight) {
        if (Double.isNaN(weight) || Double.isInfinite(weight)) {
            throw new DL4JInvalidConfigException("Invalid weight = " + weight + ": the penalty weight beta must be "
                    + "a finite number >= 0");
        }
        if (weight < 0.0) {
            throw new DL4JInvalidConfigException("Invalid weight = " + weight + ": the penalty weight beta must be "
                    + ">= 0 (0 switches the penalty off)");
        }
    }

    static void checkEpsilon(double epsilon) {
        if (!(epsilon >= SparsityLayer.MIN_EPSILON && epsilon <= SparsityLayer.MAX_EPSILON)) {
            throw new DL4JInvalidConfigException("Invalid epsilon = " + epsilon + ": it must lie in ["
                    + SparsityLayer.MIN_EPSILON + ", " + SparsityLayer.MAX_EPSILON + "]; it squeezes each mean "
                    + "activation into [epsilon, 1 - epsilon] so the penalty stays finite");
        }
    }

    static void checkWrappedLayer(Layer layer) {
        if (layer == null) {
            throw new DL4JInvalidConfigException("Missing wrapped layer: pass a feed-forward hidden layer such as "
                    + "DenseLayer to SparsityLayer.Builder.layer(...)");
        }
        if (layer instanceof TimeDistributed timeDistributed) {
            Layer inner = timeDistributed.getUnderlying();
            boolean innerOutput = inner instanceof BaseOutputLayer || inner instanceof LossLayer;
            if (!(inner instanceof FeedForwardLayer) || innerOutput) {
                throw new DL4JInvalidConfigException("Invalid wrapped layer TimeDistributed("
                        + inner.getClass().getSimpleName() + "): SparsityLayer accepts TimeDistributed only around a "
                        + "feed-forward hidden layer (a FeedForwardLayer that is not an output or loss layer), such "
                        + "as DenseLayer");
            }
            return;
        }
        boolean outputLayer = layer instanceof BaseOutputLayer || layer instanceof LossLayer;
        if (!(layer instanceof FeedForwardLayer) || outputLayer) {
            throw new DL4JInvalidConfigException("Invalid wrapped layer " + layer.getClass().getSimpleName()
                    + ": SparsityLayer wraps a feed-forward hidden layer (a FeedForwardLayer that is not an output "
                    + "or loss layer), such as DenseLayer, or TimeDistributed around one");
        }
    }

    /** Checks the activation if it is already known; a network-wide default is only applied later. */
    static void checkActivation(SparsityLayer layer) {
        if (unwrapTimeDistributed(layer.getUnderlying()) instanceof BaseLayer base && base.getActivationFn() != null) {
            checkActivation(layer.getPenalty(), base.getActivationFn());
        }
    }

    static void checkActivationDefined(SparsityLayer layer) {
        if (unwrapTimeDistributed(layer.getUnderlying()) instanceof BaseLayer base && base.getActivationFn() == null) {
            throw new DL4JInvalidConfigException("Missing activation on the wrapped layer: set "
                    + "activation(Activation.SIGMOID) on it or on the network configuration");
        }
    }

    static void checkActivation(SparsityPenalty penalty, IActivation activation) {
        if (!penalty.needsUnitInterval()) {
            return;
        }
        boolean accepted = activation instanceof ActivationSigmoid || activation instanceof ActivationHardSigmoid
                || activation instanceof ActivationTanH;
        if (!accepted) {
            throw new DL4JInvalidConfigException("Invalid activation " + activation + " for the " + penalty
                    + " penalty: it compares each unit's mean activation with the target as a probability, so "
                    + "activations must lie in (0, 1), and " + activation + " is not confined to (0, 1). Use "
                    + "Activation.SIGMOID or Activation.HARDSIGMOID (Activation.TANH is accepted and mapped to "
                    + "(a + 1) / 2), or SparsityPenalty.L1, which accepts any activation");
        }
    }
}
