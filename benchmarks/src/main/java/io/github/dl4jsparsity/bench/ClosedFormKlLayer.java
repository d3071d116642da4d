package io.github.dl4jsparsity.bench;

import java.util.Collection;

import io.github.dl4jsparsity.conf.SparsityLayer;
import io.github.dl4jsparsity.penalty.PenaltyScaling;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Benchmark-only layer configuration: the library's {@link SparsityLayer} settings and parameter handling, but a
 * runtime layer that computes the KL penalty with {@link ClosedFormKl} instead of SameDiff. Only KL with
 * {@link PenaltyScaling#PER_MINIBATCH} is supported.
 */
public class ClosedFormKlLayer extends SparsityLayer {

    private static final long serialVersionUID = 1L;

    /** Creates an empty configuration; used by Jackson and Java serialization. */
    public ClosedFormKlLayer() {
    }

    /**
     * Creates a KL configuration with per-minibatch scaling.
     *
     * @param underlying the wrapped sigmoid coding layer
     * @param target target sparsity p
     * @param weight penalty weight beta
     * @param epsilon squeeze of the mean activations
     */
    public ClosedFormKlLayer(org.deeplearning4j.nn.conf.layers.Layer underlying, double target, double weight,
                             double epsilon) {
        super(underlying, SparsityPenalty.KL, target, weight, PenaltyScaling.PER_MINIBATCH, epsilon);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        // The library's instantiate builds the wrapped runtime layer and mirrors its parameter names, so keep
        // that and replace only the penalty part.
        BaseWrapperLayer libraryLayer = (BaseWrapperLayer) super.instantiate(conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams, networkDataType);
        return new ClosedFormKlLayerImpl(libraryLayer.getUnderlying(), this);
    }
}
