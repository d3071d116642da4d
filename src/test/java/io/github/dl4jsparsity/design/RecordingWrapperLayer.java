package io.github.dl4jsparsity.design;

import java.util.Collection;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;

/** Wrapper layer configuration whose runtime layer, {@link RecordingWrapperImpl}, records the calls it receives. */
public class RecordingWrapperLayer extends BaseWrapperLayer {

    /** Creates an empty wrapper; used by Jackson. */
    public RecordingWrapperLayer() {
    }

    /** Wraps a layer configuration. */
    public RecordingWrapperLayer(Layer underlying) {
        super(underlying);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        return new RecordingWrapperImpl(PlainWrapperLayer.instantiateUnderlying(underlying, conf,
                trainingListeners, layerIndex, layerParamsView, initializeParams, networkDataType));
    }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return underlying.getUpdaterByParam(paramName);
    }

    @Override
    public RecordingWrapperLayer clone() {
        RecordingWrapperLayer copy = (RecordingWrapperLayer) super.clone();
        copy.underlying = underlying.clone();
        return copy;
    }
}
