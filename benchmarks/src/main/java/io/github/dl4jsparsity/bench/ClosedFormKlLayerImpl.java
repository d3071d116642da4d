package io.github.dl4jsparsity.bench;

import io.github.dl4jsparsity.penalty.DenseRowOps;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runtime layer of {@link ClosedFormKlLayer}. A training forward pass takes the column mean as the library's layer
 * does, then computes the KL penalty and its gradient row with plain ND4J ops. The backward pass adds
 * {@code m * row} to every row of the incoming epsilon, where the factor m undoes the division by the minibatch size
 * in DL4J's updater. The score gets the penalty once per minibatch, as the library does with per-minibatch scaling.
 */
public class ClosedFormKlLayerImpl extends BaseWrapperLayer {

    private final ClosedFormKlLayer config;
    /** Penalty of the last forward pass; NaN after an inference pass until {@link #scorePenalty()} evaluates it. */
    private double penalty;
    /** Per-unit mean activations of the last inference pass, detached from workspaces. */
    private INDArray inferenceMeans;
    /** Gradient row times the updater's divisor, from the last training forward pass, detached. */
    private INDArray scaledGradientRow;
    /**
     * The library's column mean and backward add, so that the comparison with the library is about the penalty's
     * arithmetic and its gradient.
     */
    private final DenseRowOps rowOps = new DenseRowOps();
    /** Column mean of the last training pass [1, n], allocated once per width and data type, detached. */
    private INDArray meanRow;

    /**
     * Wraps a runtime layer.
     *
     * @param underlying the wrapped runtime layer
     * @param config this layer's configuration
     */
    public ClosedFormKlLayerImpl(Layer underlying, ClosedFormKlLayer config) {
        super(underlying);
        this.config = config;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray activations = underlying.activate(training, workspaceMgr);
        recordPenalty(activations, training);
        return activations;
    }

    @Override
    public INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray activations = underlying.activate(input, training, workspaceMgr);
        recordPenalty(activations, training);
        return activations;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (scaledGradientRow == null) {
            throw new IllegalStateException("Cannot backpropagate through ClosedFormKlLayer: no training forward "
                    + "pass was run before the backward pass");
        }
        // In place, as the library's layer adds its gradient.
        rowOps.addRow(epsilon, scaledGradientRow, epsilon);
        scaledGradientRow = null;
        return underlying.backpropGradient(epsilon, workspaceMgr);
    }

    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return underlying.calcRegularizationScore(backpropParamsOnly) + scorePenalty();
    }

    /** Returns the penalty of the last forward pass as it enters the score, or 0 before any forward pass. */
    public double scorePenalty() {
        if (Double.isNaN(penalty) && inferenceMeans != null) {
            penalty = ClosedFormKl.valueFromMeans(inferenceMeans, config.getTarget(), config.getWeight(),
                    config.getEpsilon());
        }
        return penalty;
    }

    @Override
    public void clear() {
        super.clear();
        scaledGradientRow = null;
        inferenceMeans = null;
    }

    private void recordPenalty(INDArray activations, boolean training) {
        scaledGradientRow = null;
        inferenceMeans = null;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (training) {
                if (meanRow == null || meanRow.length() != activations.size(1)
                        || meanRow.dataType() != activations.dataType()) {
                    meanRow = Nd4j.create(activations.dataType(), 1, activations.size(1));
                }
                rowOps.columnMean(activations, meanRow);
                ClosedFormKl.Result result = ClosedFormKl.valueAndGradientRow(meanRow, activations.size(0),
                        config.getTarget(), config.getWeight(), config.getEpsilon());
                double divisor = underlying.conf().isMiniBatch() ? activations.size(0) : 1.0;
                scaledGradientRow = result.gradientRow().muli(divisor);
                penalty = result.value();
            } else {
                inferenceMeans = Nd4j.create(activations.dataType(), 1, activations.size(1));
                rowOps.columnMean(activations, inferenceMeans);
                penalty = Double.NaN;
            }
        }
    }
}
