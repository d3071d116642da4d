package io.github.dl4jsparsity.design;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime wrapper that records, in call order, which of its methods DL4J calls. Each override only records the call
 * and then runs the inherited method, which sends it on to the wrapped layer.
 */
public class RecordingWrapperImpl extends BaseWrapperLayer {

    /** Event of {@code activate(boolean, LayerWorkspaceMgr)}. */
    public static final String ACTIVATE_2 = "activate(training, mgr)";
    /** Event of {@code activate(INDArray, boolean, LayerWorkspaceMgr)}. */
    public static final String ACTIVATE_3 = "activate(input, training, mgr)";
    /** Event of {@code clear()}. */
    public static final String CLEAR = "clear";
    /** Event of {@code calcRegularizationScore(boolean)}. */
    public static final String REGULARIZATION = "calcRegularizationScore";
    /** Event of {@code backpropGradient(INDArray, LayerWorkspaceMgr)}. */
    public static final String BACKPROP = "backpropGradient";

    private final List<String> events = new ArrayList<>();

    /** Wraps a runtime layer. */
    public RecordingWrapperImpl(Layer underlying) {
        super(underlying);
    }

    /** Returns the recorded calls, oldest first. */
    public List<String> events() {
        return events;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        events.add(ACTIVATE_2);
        return super.activate(training, workspaceMgr);
    }

    @Override
    public INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr workspaceMgr) {
        events.add(ACTIVATE_3);
        return super.activate(input, training, workspaceMgr);
    }

    @Override
    public void clear() {
        events.add(CLEAR);
        super.clear();
    }

    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        events.add(REGULARIZATION);
        return super.calcRegularizationScore(backpropParamsOnly);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        events.add(BACKPROP);
        return super.backpropGradient(epsilon, workspaceMgr);
    }
}
