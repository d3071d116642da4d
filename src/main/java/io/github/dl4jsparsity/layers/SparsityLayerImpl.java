package io.github.dl4jsparsity.layers;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

import io.github.dl4jsparsity.conf.SparsityLayer;
import io.github.dl4jsparsity.penalty.PenaltyGraph;
import io.github.dl4jsparsity.penalty.PenaltyScaling;
import io.github.dl4jsparsity.penalty.PenaltySpec;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runtime layer of {@link SparsityLayer}: runs the wrapped layer unchanged and adds the sparsity penalty of its
 * activations to the network's score and to the error signal of its backward pass.
 *
 * <p>A training forward pass runs the SameDiff penalty graph once for both the penalty and d(penalty)/da. The
 * backward pass adds {@code k * d(penalty)/da} to the incoming epsilon before handing it to the wrapped layer, where
 * {@code k} undoes the division by the minibatch size that DL4J's updater applies to every gradient: {@code k = m}
 * with {@link PenaltyScaling#PER_MINIBATCH} and {@code k = 1} with {@link PenaltyScaling#PER_EXAMPLE} (both times 1/m
 * when the network is not in minibatch mode). An inference forward pass stores only the mean of the penalty's
 * input per unit, and {@link #calcRegularizationScore(boolean)} evaluates the graph on that row, so
 * {@code output()} costs one column mean more than the wrapped layer alone.
 */
public class SparsityLayerImpl extends BaseWrapperLayer {

    private static final Logger log = LoggerFactory.getLogger(SparsityLayerImpl.class);

    private final SparsityLayer config;
    private final PenaltySpec spec;
    private final Map<DataType, PenaltyGraph> graphs = new EnumMap<>(DataType.class);

    /** Penalty as added to the score for the last forward pass, or NaN when it still has to be evaluated. */
    private double scorePenalty;
    /** Whether a forward pass has run since the layer was created or cleared. */
    private boolean forwardDone;
    /** Per-unit mean of the last inference minibatch, detached; the graph evaluates it lazily. */
    private INDArray inferenceMeans;
    private long inferenceBatchSize;
    /** d(score penalty)/da times the updater's divisor, from the last training forward pass; detached. */
    private INDArray scaledGradient;
    private boolean nanWarningLogged;

    /**
     * Wraps a runtime layer.
     *
     * @param underlying the wrapped layer, instantiated from {@link SparsityLayer#getUnderlying()}
     * @param config this layer's configuration
     */
    public SparsityLayerImpl(Layer underlying, SparsityLayer config) {
        super(underlying);
        this.config = config;
        this.spec = config.toPenaltySpec();
    }

    /** Returns this layer's configuration. */
    public SparsityLayer getSparsityConfig() {
        return config;
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
        if (spec.weight() == 0.0) {
            return underlying.backpropGradient(epsilon, workspaceMgr);
        }
        if (scaledGradient == null) {
            throw new IllegalStateException("Cannot backpropagate through SparsityLayer '" + layerName() + "': no "
                    + "training forward pass was run before the backward pass");
        }
        if (!Arrays.equals(scaledGradient.shape(), epsilon.shape())) {
            throw new IllegalStateException("Cannot backpropagate through SparsityLayer '" + layerName() + "': the "
                    + "epsilon shape " + Arrays.toString(epsilon.shape()) + " differs from the activation shape "
                    + Arrays.toString(scaledGradient.shape()) + " of the last training forward pass");
        }
        INDArray total = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, epsilon.dataType(),
                epsilon.shape(), epsilon.ordering());
        total.assign(epsilon).addi(scaledGradient);
        scaledGradient = null;
        return underlying.backpropGradient(total, workspaceMgr);
    }

    /**
     * Returns the wrapped layer's regularization score plus the sparsity penalty of the last forward pass, as added
     * to the network's score. Before any forward pass, the penalty part is 0.
     */
    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return underlying.calcRegularizationScore(backpropParamsOnly) + getScorePenalty();
    }

    /**
     * Returns the sparsity penalty of the last forward pass, scaled as it enters the score, or 0 before any forward
     * pass or when the weight is 0.
     */
    public double getScorePenalty() {
        if (!forwardDone || spec.weight() == 0.0) {
            return 0.0;
        }
        if (Double.isNaN(scorePenalty) && inferenceMeans != null) {
            scorePenalty = scaleValue(evaluateMeans(inferenceMeans, inferenceBatchSize), inferenceBatchSize);
            warnIfNaN(scorePenalty);
        }
        return scorePenalty;
    }

    /**
     * Clears the wrapped layer's state and the stored gradient. The per-unit means of the last inference pass are
     * kept, because DL4J clears layers before it requests the regularization score of an inference pass.
     */
    @Override
    public void clear() {
        super.clear();
        scaledGradient = null;
    }

    private void recordPenalty(INDArray activations, boolean training) {
        forwardDone = true;
        scaledGradient = null;
        inferenceMeans = null;
        if (spec.weight() == 0.0) {
            scorePenalty = 0.0;
            return;
        }
        if (activations.rank() != 2) {
            throw new IllegalStateException("Unsupported activation rank " + activations.rank() + " in "
                    + "SparsityLayer '" + layerName() + "': activations have shape "
                    + Arrays.toString(activations.shape()) + ", and this layer handles rank 2 [minibatch, units]");
        }
        long minibatch = activations.size(0);
        if (training) {
            PenaltyGraph.ValueAndGradient result = graph(activations).valueAndGradient(activations);
            if (!Double.isFinite(result.value())) {
                throw new IllegalStateException("Non-finite sparsity penalty " + result.value() + " in SparsityLayer '"
                        + layerName() + "': its activations contain NaN or infinite values. Check the input data "
                        + "and lower the learning rate");
            }
            double divisor = underlying.conf().isMiniBatch() ? minibatch : 1.0;
            double factor = divisor * scaleFactor(minibatch);
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                scaledGradient = result.gradient().muli(factor);
            }
            scorePenalty = scaleValue(result.value(), minibatch);
        } else {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                INDArray statistic = spec.penalty() == SparsityPenalty.L1 ? Nd4j.math().abs(activations)
                        : activations;
                inferenceMeans = statistic.mean(true, 0);
            }
            inferenceBatchSize = minibatch;
            scorePenalty = Double.NaN;
        }
    }

    /** Evaluates the unscaled penalty of a minibatch from its per-unit means of the penalty's input. */
    private double evaluateMeans(INDArray means, long minibatch) {
        double value = graph(means).value(means);
        // A one-row batch has q = means for KL, MSE and MAE; L1 sums |a| over the batch, which is m times the mean.
        return spec.penalty() == SparsityPenalty.L1 ? value * minibatch : value;
    }

    private double scaleValue(double value, long minibatch) {
        return value * scaleFactor(minibatch);
    }

    private double scaleFactor(long minibatch) {
        return config.getScaling() == PenaltyScaling.PER_EXAMPLE ? 1.0 / minibatch : 1.0;
    }

    private void warnIfNaN(double value) {
        if (!Double.isFinite(value) && !nanWarningLogged) {
            nanWarningLogged = true;
            log.warn("Sparsity penalty of layer '{}' is {}: its activations contain NaN or infinite values, so the "
                    + "score is not finite either. Further occurrences are not logged.", layerName(), value);
        }
    }

    private PenaltyGraph graph(INDArray activations) {
        DataType graphType = activations.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        long units = activations.size(1);
        return graphs.computeIfAbsent(graphType, type -> new PenaltyGraph(spec, type, units));
    }

    private String layerName() {
        String name = config.getLayerName();
        return name == null ? "index " + underlying.getIndex() : name;
    }
}
