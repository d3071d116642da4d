package io.github.dl4jsparsity.layers;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.dl4jsparsity.conf.SparsityLayer;
import io.github.dl4jsparsity.conf.SparsityParamInitializer;
import io.github.dl4jsparsity.penalty.ActivationRows;
import io.github.dl4jsparsity.penalty.DenseRowOps;
import io.github.dl4jsparsity.penalty.MeanEstimator;
import io.github.dl4jsparsity.penalty.PenaltyGraph;
import io.github.dl4jsparsity.penalty.PenaltyScaling;
import io.github.dl4jsparsity.penalty.PenaltySpec;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
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
 * when the network is not in minibatch mode). For dense activations without a mask and a penalty on q (KL, MSE,
 * MAE), every row of d(penalty)/da equals the [1, n] row d(penalty)/dq / m. The layer stores only that row, and the
 * backward pass adds it to each row of epsilon, so no [m, n] array is allocated for the penalty.
 *
 * <p>The backward pass writes the sum into the epsilon array it receives and hands that array on. Inside a network
 * that array is the layer's own: the layer above creates it, {@code ComputationGraph} adds several consumers'
 * epsilons into the first one's array, and {@code ElementWiseVertex} hands each input a copy. A caller that passes
 * its own array to {@code backpropGradient} (external errors), or a custom graph vertex that passes one array to two
 * inputs, finds that array changed. On the CPU backend the add is one OpenBLAS update, which took about a third of
 * the time of libnd4j's {@code add} op at [256, 2000] (see {@code RowOpTimings} in the benchmarks).
 *
 * <p>Shapes: rank-2 activations [m, n] are used as they are. Rank-3 activations [m, n, T] (NCW) or [m, T, n] (NWC)
 * and rank-4 activations [m, c, h, w] (NCHW) or [m, h, w, c] (NHWC) are laid out as rows by {@link ActivationRows},
 * so q_j averages over the minibatch and every time step or spatial position; m is always the first dimension, the
 * number of examples DL4J divides by. The feature mask that DL4J passes through {@link #feedForwardMaskArray} or
 * {@link #setMaskArray} weights the rows: masked steps are left out of q, add nothing to the penalty and get exactly
 * zero extra gradient, and a fully masked minibatch adds a penalty of 0.
 *
 * <p>With {@link MeanEstimator#MOVING_AVERAGE}, the penalty uses {@code qhat = d * qhat_prev + (1 - d) * q}. The
 * state advances once per training iteration. The first training forward pass of an iteration (detected from the
 * iteration count that DL4J sets on layers) moves the latest qhat into qhat_prev. Further passes of the same
 * iteration reuse that qhat_prev, so repeated evaluations agree. The state is part of the layer's parameter view
 * (see {@link SparsityParamInitializer}) and so is saved by {@code ModelSerializer}; {@link #resetMovingAverage()}
 * clears it. Inference passes read the state without changing it.
 */
public class SparsityLayerImpl extends BaseWrapperLayer {

    private static final Logger log = LoggerFactory.getLogger(SparsityLayerImpl.class);

    private final SparsityLayer config;
    private final PenaltySpec spec;
    private final boolean movingAverage;
    private final Map<DataType, PenaltyGraph> graphs = new EnumMap<>(DataType.class);

    /** This layer's whole parameter view: the wrapped layer's parameters, then the moving-average state. */
    private INDArray paramsView;
    private INDArray gradientsView;
    /** Views of the moving-average state in {@link #paramsView}; empty without a moving average. */
    private Map<String, INDArray> state;
    /** Feature mask of the current minibatch as DL4J passed it, or null. */
    private INDArray featureMask;

    /** Penalty as added to the score for the last forward pass, or NaN when it still has to be evaluated. */
    private double scorePenalty;
    /** Whether a forward pass has run since the layer was created or cleared. */
    private boolean forwardDone;
    /** Per-unit mean of the last inference minibatch, detached; the graph evaluates it lazily. */
    private INDArray inferenceMeans;
    private long inferenceBatchSize;
    private double inferenceCount;
    private INDArray inferencePreviousMean;
    /** Mean activation per unit that the last evaluated penalty used [1, n], detached, or null. */
    private INDArray lastMeanActivation;
    /**
     * d(score penalty)/da times the updater's divisor, from the last training forward pass, in the activations'
     * shape; detached. Null when the pass stored {@link #scaledGradientRow} instead.
     */
    private INDArray scaledGradient;
    /**
     * The same gradient for dense activations [m, n] without a mask and a penalty on q: every row of it equals this
     * [1, n] row, so the backward pass broadcasts it instead of the layer storing an [m, n] array. Detached.
     */
    private INDArray scaledGradientRow;
    /**
     * Column mean and gradient row [1, n] that training passes without a moving average overwrite in place, or null
     * before the first one. Detached.
     */
    private INDArray meanRow;
    private INDArray gradientRow;
    /** Column mean and broadcast add with op contexts built once; created by the first training pass that needs it. */
    private DenseRowOps rowOps;
    /** Shape of the activations of the last training forward pass. */
    private long[] gradientShape;
    private boolean nanWarningLogged;

    /**
     * Wraps a runtime layer whose parameters are all the wrapped layer's.
     *
     * @param underlying the wrapped layer, instantiated from {@link SparsityLayer#getUnderlying()}
     * @param config this layer's configuration, with {@link MeanEstimator#MINIBATCH_MEAN}
     */
    public SparsityLayerImpl(Layer underlying, SparsityLayer config) {
        this(underlying, config, null, Map.of());
    }

    /**
     * Wraps a runtime layer.
     *
     * @param underlying the wrapped layer, instantiated from {@link SparsityLayer#getUnderlying()}
     * @param config this layer's configuration
     * @param paramsView this layer's whole parameter view, or null when it has no state parameters
     * @param state views of the moving-average state in {@code paramsView}, keyed as in
     *        {@link SparsityParamInitializer}; empty without a moving average
     */
    public SparsityLayerImpl(Layer underlying, SparsityLayer config, INDArray paramsView, Map<String, INDArray> state) {
        super(underlying);
        this.config = config;
        this.spec = config.toPenaltySpec();
        this.movingAverage = config.getEstimator() == MeanEstimator.MOVING_AVERAGE;
        if (movingAverage && state.isEmpty()) {
            throw new IllegalArgumentException("Missing moving-average state for SparsityLayer '"
                    + config.getLayerName() + "': instantiate the layer through SparsityLayer.instantiate");
        }
        this.paramsView = paramsView;
        this.state = new LinkedHashMap<>(state);
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
        if (gradientShape == null) {
            throw new IllegalStateException("Cannot backpropagate through SparsityLayer '" + layerName() + "': no "
                    + "training forward pass was run before the backward pass");
        }
        if (!Arrays.equals(gradientShape, epsilon.shape())) {
            throw new IllegalStateException("Cannot backpropagate through SparsityLayer '" + layerName() + "': the "
                    + "epsilon shape " + Arrays.toString(epsilon.shape()) + " differs from the activation shape "
                    + Arrays.toString(gradientShape) + " of the last training forward pass");
        }
        // The penalty's gradient goes into epsilon in place (see the class comment), one op over [m, n].
        if (scaledGradientRow != null) {
            rowOps().addRow(epsilon, scaledGradientRow, epsilon);
        } else {
            Nd4j.getExecutioner().exec(new AddOp(epsilon, scaledGradient, epsilon));
        }
        clearGradient();
        return underlying.backpropGradient(epsilon, workspaceMgr);
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
     * pass, when the weight is 0 or when every step of the minibatch was masked.
     */
    public double getScorePenalty() {
        if (!forwardDone || spec.weight() == 0.0) {
            return 0.0;
        }
        if (Double.isNaN(scorePenalty) && inferenceMeans != null) {
            PenaltyGraph.Evaluation result = evaluateMeans();
            scorePenalty = scaleValue(result.value(), inferenceBatchSize);
            lastMeanActivation = result.penaltyMean() == null ? inferenceMeans : result.penaltyMean();
            warnIfNaN(scorePenalty);
        }
        return scorePenalty;
    }

    /**
     * Returns a copy of the mean activation per unit [1, n] that the penalty of the last forward pass used. That is
     * the minibatch mean q (after the tanh shift), qhat with a moving average, or the mean absolute activation for
     * L1. Returns null before any forward pass, when the weight is 0 and after a fully masked minibatch. After a
     * training pass that raised the non-finite-penalty error, returns that pass's mean, while
     * {@link #getScorePenalty()} still returns the previous penalty.
     */
    public INDArray getLastMeanActivation() {
        getScorePenalty();
        return lastMeanActivation == null ? null : lastMeanActivation.dup();
    }

    /** Returns the extra gradient k * d(penalty)/da of the last training forward pass, or null; for tests. */
    INDArray penaltyGradient() {
        if (scaledGradientRow != null) {
            return Nd4j.zeros(scaledGradientRow.dataType(), gradientShape).addiRowVector(scaledGradientRow);
        }
        return scaledGradient;
    }

    /**
     * Returns a copy of the stored moving average qhat [1, n] after the latest training iteration, or null without
     * a moving average or before the first training forward pass.
     */
    public INDArray getMovingAverage() {
        if (!movingAverage || averagedIterations() == 0) {
            return null;
        }
        return state.get(SparsityParamInitializer.MOVING_MEAN).dup();
    }

    /** Returns the number of training iterations in the moving average, 0 without one or after a reset. */
    public long averagedIterations() {
        return movingAverage ? (long) state.get(SparsityParamInitializer.MOVING_MEAN_STATE).getDouble(1) : 0;
    }

    /**
     * Clears the moving average, so that the next training minibatch starts it again from its own mean. Call it for
     * example when the training data changes: {@code ((SparsityLayerImpl) net.getLayer(0)).resetMovingAverage()}, or
     * {@link io.github.dl4jsparsity.listeners.SparsityListener#resetMovingAverages} for a whole network. Does
     * nothing without a moving average.
     */
    public void resetMovingAverage() {
        if (movingAverage) {
            SparsityParamInitializer.resetState(state);
        }
    }

    /**
     * Clears the wrapped layer's state and the stored gradient. The per-unit means of the last inference pass are
     * kept, because DL4J clears layers before it requests the regularization score of an inference pass.
     */
    @Override
    public void clear() {
        super.clear();
        clearGradient();
    }

    private void clearGradient() {
        scaledGradient = null;
        scaledGradientRow = null;
        gradientShape = null;
    }

    @Override
    public void setMaskArray(INDArray maskArray) {
        featureMask = maskArray;
        underlying.setMaskArray(maskArray);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                          int minibatchSize) {
        featureMask = maskArray;
        return underlying.feedForwardMaskArray(maskArray, currentMaskState, minibatchSize);
    }

    private void recordPenalty(INDArray activations, boolean training) {
        forwardDone = true;
        clearGradient();
        inferenceMeans = null;
        inferencePreviousMean = null;
        if (spec.weight() == 0.0) {
            scorePenalty = 0.0;
            return;
        }
        int rank = activations.rank();
        if (rank < 2 || rank > 4) {
            throw new IllegalStateException("Unsupported activation rank " + rank + " in SparsityLayer '"
                    + layerName() + "': activations have shape " + Arrays.toString(activations.shape()) + ", and "
                    + "this layer handles rank 2 [minibatch, units], rank 3 [minibatch, units, time] (NCW or NWC) "
                    + "and rank 4 [minibatch, channels, height, width] (NCHW or NHWC)");
        }
        long minibatch = activations.size(0);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            ActivationRows rows = ActivationRows.of(activations, rnnFormat(), cnnFormat(), featureMask);
            double count = rows.count();
            if (count <= 0.0) {
                // Every step is masked: no mean exists, so there is no penalty and no extra gradient.
                scorePenalty = 0.0;
                lastMeanActivation = null;
                if (training) {
                    scaledGradient = Nd4j.zeros(activations.dataType(), activations.shape());
                    gradientShape = activations.shape();
                }
                return;
            }
            DataType graphType = graphType(activations);
            boolean sum = spec.penalty() == SparsityPenalty.L1;
            // Dense activations without a mask: q is a column mean, so no [m, n] array needs to leave the workspace.
            boolean columnMean = rank == 2 && featureMask == null && !sum;
            if (training && columnMean) {
                recordTrainingOnMean(activations, minibatch);
            } else if (training) {
                recordTraining(activations, rows, rows.exampleWeights(sum, graphType), minibatch);
            } else {
                // Transforms.abs with copy: ND4J's Nd4j.math().abs writes into its argument, which for dense
                // activations is the array handed on to the next layer.
                INDArray statistic = sum ? Transforms.abs(rows.rows(), true) : rows.rows();
                inferenceMeans = columnMean ? newColumnMean(activations)
                        : rows.exampleWeights(false, statistic.dataType()).mmul(statistic);
                inferenceBatchSize = minibatch;
                inferenceCount = count;
                inferencePreviousMean = movingAverage ? previousMeanFor(getIterationCount()) : null;
                scorePenalty = Double.NaN;
            }
        }
    }

    private void recordTraining(INDArray activations, ActivationRows rows, INDArray weights, long minibatch) {
        int iteration = getIterationCount();
        INDArray previous = movingAverage ? previousMeanFor(iteration) : null;
        PenaltyGraph.Evaluation result = graph(activations).evaluate(rows.rows(), weights, previous,
                config.getDecay(), true);
        checkFinite(result.value());
        double divisor = underlying.conf().isMiniBatch() ? minibatch : 1.0;
        double factor = divisor * scaleFactor(minibatch);
        scaledGradient = rows.toActivationShape(result.gradient()).muli(factor);
        gradientShape = activations.shape();
        scorePenalty = scaleValue(result.value(), minibatch);
        if (result.penaltyMean() != null) {
            lastMeanActivation = result.penaltyMean();
        } else {
            INDArray absolute = Transforms.abs(rows.rows(), true);
            lastMeanActivation = rows.exampleWeights(false, absolute.dataType()).mmul(absolute);
        }
        if (movingAverage) {
            advanceMovingAverage(iteration, result.penaltyMean());
        }
    }

    /**
     * Records the penalty of dense activations [m, n] without a mask, for KL, MSE and MAE. The graph takes the column
     * mean q directly, and since dq_j/da_ij = 1/m every row of the activation gradient is d(penalty)/dq / m.
     */
    private void recordTrainingOnMean(INDArray activations, long minibatch) {
        double divisor = underlying.conf().isMiniBatch() ? minibatch : 1.0;
        double factor = divisor * scaleFactor(minibatch) / minibatch;
        if (!movingAverage && activations.dataType() == graphType(activations)) {
            recordTrainingInRows(activations, minibatch, factor);
            return;
        }
        int iteration = getIterationCount();
        INDArray previous = movingAverage ? previousMeanFor(iteration) : null;
        INDArray means = newColumnMean(activations);
        PenaltyGraph.Evaluation result = graph(activations).evaluateMean(means, previous, config.getDecay(), true,
                factor);
        checkFinite(result.value());
        INDArray row = result.gradient();
        scaledGradientRow = row.dataType() == activations.dataType() ? row : row.castTo(activations.dataType());
        gradientShape = activations.shape();
        scorePenalty = scaleValue(result.value(), minibatch);
        lastMeanActivation = result.penaltyMean();
        if (movingAverage) {
            advanceMovingAverage(iteration, result.penaltyMean());
        }
    }

    /**
     * Records the penalty in the common case of {@link #recordTrainingOnMean}: float or double activations and no
     * moving average. The column mean and the gradient row go into two arrays [1, n] that this layer allocates once.
     * With a sigmoid coding layer a training step then allocates no array for the penalty, and a tanh layer allocates
     * one, the shifted mean. The gradient row is valid until the next training forward pass overwrites it, which is
     * also when the backward pass stops needing it.
     */
    private void recordTrainingInRows(INDArray activations, long minibatch, double factor) {
        long units = activations.size(1);
        if (meanRow == null || meanRow.dataType() != activations.dataType() || meanRow.length() != units) {
            meanRow = Nd4j.create(activations.dataType(), 1, units);
            gradientRow = Nd4j.create(activations.dataType(), 1, units);
        }
        rowOps().columnMean(activations, meanRow);
        double value = graph(activations).evaluateMeanInto(meanRow, factor, gradientRow);
        // After a pass that raises below, the mean is that pass's, since the row is overwritten in place.
        lastMeanActivation = spec.shiftFromTanh() ? meanRow.add(1.0).muli(0.5) : meanRow;
        checkFinite(value);
        scaledGradientRow = gradientRow;
        gradientShape = activations.shape();
        scorePenalty = scaleValue(value, minibatch);
    }

    /**
     * Returns the column mean of dense activations in a new array [1, n], computed as on the path without a moving
     * average, so that every path of the layer gets the same means.
     */
    private INDArray newColumnMean(INDArray activations) {
        INDArray means = Nd4j.create(activations.dataType(), 1, activations.size(1));
        rowOps().columnMean(activations, means);
        return means;
    }

    private DenseRowOps rowOps() {
        if (rowOps == null) {
            rowOps = new DenseRowOps();
        }
        return rowOps;
    }

    private void checkFinite(double penalty) {
        if (!Double.isFinite(penalty)) {
            throw new IllegalStateException("Non-finite sparsity penalty " + penalty + " in SparsityLayer '"
                    + layerName() + "': training has diverged or the input contains NaN or infinite values. Check "
                    + "the input data, and lower the learning rate or the penalty weight");
        }
    }

    /**
     * Returns the qhat_prev that a training pass at {@code iteration} starts from, or null when that pass is the
     * first minibatch of the average.
     */
    private INDArray previousMeanFor(int iteration) {
        long steps = averagedIterations();
        if (steps == 0) {
            return null;
        }
        boolean newIteration = lastAveragedIteration() != iteration;
        if (newIteration) {
            return state.get(SparsityParamInitializer.MOVING_MEAN).dup();
        }
        return steps >= 2 ? state.get(SparsityParamInitializer.PREVIOUS_MEAN).dup() : null;
    }

    private void advanceMovingAverage(int iteration, INDArray smoothed) {
        long steps = averagedIterations();
        boolean newIteration = steps > 0 && lastAveragedIteration() != iteration;
        if (newIteration) {
            state.get(SparsityParamInitializer.PREVIOUS_MEAN).assign(state.get(SparsityParamInitializer.MOVING_MEAN));
        }
        state.get(SparsityParamInitializer.MOVING_MEAN).assign(smoothed);
        INDArray counters = state.get(SparsityParamInitializer.MOVING_MEAN_STATE);
        // NOTE: in a FLOAT network these counters are exact only up to 2^24 iterations.
        counters.putScalar(0, iteration);
        counters.putScalar(1, steps == 0 ? 1 : (newIteration ? steps + 1 : steps));
    }

    private double lastAveragedIteration() {
        return state.get(SparsityParamInitializer.MOVING_MEAN_STATE).getDouble(0);
    }

    /** Evaluates the unscaled penalty of the last inference minibatch from its per-unit means. */
    private PenaltyGraph.Evaluation evaluateMeans() {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            PenaltyGraph graph = graph(inferenceMeans);
            INDArray one = Nd4j.ones(graph.dataType(), 1, 1);
            PenaltyGraph.Evaluation result = graph.evaluate(inferenceMeans, one, inferencePreviousMean,
                    config.getDecay(), false);
            // A one-row batch has q = means for KL, MSE and MAE; L1 sums |a| over the rows, count times the mean.
            if (spec.penalty() == SparsityPenalty.L1) {
                return new PenaltyGraph.Evaluation(result.value() * inferenceCount, null, null, null);
            }
            return result;
        }
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

    private static DataType graphType(INDArray activations) {
        return activations.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
    }

    private PenaltyGraph graph(INDArray activations) {
        long units = config.units() > 0 ? config.units() : activations.size(1);
        return graphs.computeIfAbsent(graphType(activations), type -> new PenaltyGraph(spec, type, units,
                movingAverage));
    }

    /** Returns the layout of rank-3 activations, read from the wrapped layer's configuration. */
    private RNNFormat rnnFormat() {
        org.deeplearning4j.nn.conf.layers.Layer layer = config.getUnderlying();
        if (layer instanceof TimeDistributed timeDistributed) {
            return timeDistributed.getRnnDataFormat();
        }
        if (layer instanceof BaseRecurrentLayer recurrent) {
            return recurrent.getRnnDataFormat();
        }
        if (layer instanceof Convolution1DLayer convolution) {
            return convolution.getRnnDataFormat();
        }
        return RNNFormat.NCW;
    }

    /** Returns the layout of rank-4 activations, read from the wrapped layer's configuration. */
    private CNN2DFormat cnnFormat() {
        if (config.getUnderlying() instanceof ConvolutionLayer convolution) {
            return convolution.getCnn2dDataFormat();
        }
        return CNN2DFormat.NCHW;
    }

    private String layerName() {
        String name = config.getLayerName();
        return name == null ? "index " + underlying.getIndex() : name;
    }

    // Parameter view: with a moving average the state follows the wrapped layer's parameters.

    private long stateLength() {
        return SparsityParamInitializer.numStateParams(config);
    }

    @Override
    public TrainingConfig getConfig() {
        // The wrapper's configuration assigns NoOp and no regularization to the state, and delegates the rest.
        return movingAverage ? config : underlying.getConfig();
    }

    @Override
    public INDArray params() {
        return movingAverage ? paramsView : underlying.params();
    }

    @Override
    public long numParams() {
        return underlying.numParams() + stateLength();
    }

    @Override
    public long numParams(boolean backwards) {
        return underlying.numParams(backwards) + stateLength();
    }

    @Override
    public void setParams(INDArray params) {
        if (!movingAverage) {
            underlying.setParams(params);
            return;
        }
        paramsView.assign(params.reshape(paramsView.shape()));
    }

    @Override
    public void setParamsViewArray(INDArray params) {
        if (!movingAverage) {
            underlying.setParamsViewArray(params);
            return;
        }
        long wrapped = SparsityParamInitializer.numWrappedParams(config);
        paramsView = params;
        underlying.setParamsViewArray(SparsityParamInitializer.wrappedPart(params, wrapped));
        state = SparsityParamInitializer.stateViews(params, wrapped, config.units());
    }

    @Override
    public INDArray getGradientsViewArray() {
        return movingAverage ? gradientsView : underlying.getGradientsViewArray();
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray gradients) {
        if (!movingAverage) {
            underlying.setBackpropGradientsViewArray(gradients);
            return;
        }
        gradientsView = gradients;
        long wrapped = SparsityParamInitializer.numWrappedParams(config);
        underlying.setBackpropGradientsViewArray(SparsityParamInitializer.wrappedPart(gradients, wrapped));
    }

    @Override
    public INDArray getParam(String param) {
        INDArray value = state.get(param);
        return value != null ? value : underlying.getParam(param);
    }

    @Override
    public void setParam(String key, INDArray val) {
        INDArray value = state.get(key);
        if (value != null) {
            value.assign(val.reshape(value.shape()));
        } else {
            underlying.setParam(key, val);
        }
    }

    @Override
    public Map<String, INDArray> paramTable() {
        return paramTable(false);
    }

    @Override
    public Map<String, INDArray> paramTable(boolean backpropParamsOnly) {
        Map<String, INDArray> inner = underlying.paramTable(backpropParamsOnly);
        if (!movingAverage) {
            return inner;
        }
        Map<String, INDArray> table = new LinkedHashMap<>(inner);
        table.putAll(state);
        return table;
    }

    @Override
    public void setParamTable(Map<String, INDArray> paramTable) {
        Map<String, INDArray> inner = new LinkedHashMap<>(paramTable);
        for (Map.Entry<String, INDArray> entry : state.entrySet()) {
            INDArray value = inner.remove(entry.getKey());
            if (value != null) {
                entry.getValue().assign(value.reshape(entry.getValue().shape()));
            }
        }
        underlying.setParamTable(inner);
    }
}
