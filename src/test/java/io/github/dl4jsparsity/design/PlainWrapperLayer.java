package io.github.dl4jsparsity.design;

import java.util.Collection;
import java.util.List;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Wrapper layer configuration that overrides neither {@code getUpdaterByParam} nor {@code clone}, so both come from
 * DL4J's {@code Layer}. Its runtime layer adds nothing to the wrapped one.
 */
public class PlainWrapperLayer extends BaseWrapperLayer {

    /** Creates an empty wrapper; used by Jackson. */
    public PlainWrapperLayer() {
    }

    /** Wraps a layer configuration. */
    public PlainWrapperLayer(Layer underlying) {
        super(underlying);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        org.deeplearning4j.nn.api.Layer inner = instantiateUnderlying(underlying, conf, trainingListeners,
                layerIndex, layerParamsView, initializeParams, networkDataType);
        return new org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer(inner) {
        };
    }

    /**
     * Instantiates the wrapped layer with a copy of the network's configuration whose layer is the wrapped one, as
     * DL4J's MaskZeroLayer and FrozenLayerWithBackprop do. Copies the parameter names to the outer configuration,
     * which the network reads them from.
     */
    static org.deeplearning4j.nn.api.Layer instantiateUnderlying(Layer underlying, NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        NeuralNetConfiguration innerConf = conf.clone();
        innerConf.setLayer(underlying);
        org.deeplearning4j.nn.api.Layer inner = underlying.instantiate(innerConf, trainingListeners, layerIndex,
                layerParamsView, initializeParams, networkDataType);
        NeuralNetConfiguration innerRuntimeConf = inner.conf();
        if (innerRuntimeConf.variables() != null) {
            List<String> names = innerRuntimeConf.variables(true);
            innerRuntimeConf.clearVariables();
            conf.clearVariables();
            for (String name : names) {
                conf.variables(false).add(name);
                innerRuntimeConf.variables(false).add(name);
            }
        }
        return inner;
    }
}
