package io.github.dl4jsparsity.penalty;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * SameDiff graph of a sparsity penalty, differentiated by SameDiff autodiff, for activations laid out as rows [R, n].
 *
 * <p>For KL, MSE and MAE the penalty depends on the activations only through the weighted mean of each unit,
 * {@code q_j = sum_i w_i a_ij} with example weights {@code w} [1, R] (1/R each, or a mask divided by its count).
 * This class computes q with one ND4J matrix product (or takes it from the caller, see {@link #evaluateMean}) and
 * feeds it to the graph as the placeholder "batchMean" [1, n]. The penalty is:
 * <pre>
 *   q_j    = (q_j + 1) / 2 for tanh activations, variable "meanActivation"
 *   qhat_j = f_j q_j + r_j                     moving average only, variable "smoothedMean"
 *   q'_j   = epsilon + (1 - 2 epsilon) qhat_j  squeeze into [epsilon, 1 - epsilon], KL only
 *   KL:  penalty = beta * sum_j [p ln(p / q'_j) + (1 - p) ln((1 - p) / (1 - q'_j))]
 *              = beta * sum_j BCE(p, q'_j) - beta n H(p)   (SameDiff's log_loss op, H the entropy of p)
 *   MSE: penalty = beta * sum_j (qhat_j - p)^2               (mean_sqerr_loss op)
 *   MAE: penalty = beta * sum_j |qhat_j - p|                 (absolute_difference_loss op)
 * </pre>
 * With a moving average, and in the graph that {@link #define} adds to a caller's SameDiff model, every line above
 * is a graph op. Without a moving average, the tanh shift and the squeeze are affine, so this class applies them to
 * q before the placeholder, the graph is the single loss op, and the constant {@code -beta n H(p)} of KL is added
 * to its output. SameDiff returns the gradient with respect to its input, and the chain rule through the affine map
 * multiplies it by the map's scale. On ND4J 1.0.0-M2.1 most of a SameDiff call's time is bookkeeping per op, not
 * arithmetic, so this takes the graph from six ops to two. {@link OpReplay} then runs that graph without
 * SameDiff's session, with arrays allocated once. A call for the value alone runs the loss op, and a training call
 * runs only the gradient op that SameDiff derived from it. The loss is linear in its scalar weight beta, so the
 * value is beta times the gradient op's derivative with respect to beta. The other graphs run through the session. The gradient with respect to each activation is
 * {@code d(penalty)/da_ij = w_i d(penalty)/dq_j}, the outer product of the weights and that row.
 *
 * <p>L1 ({@code beta * sum_ij |a_ij|}, weights 1, or the mask) depends on every activation, so its graph takes the
 * rows themselves as the placeholder "activations" [R, n] and the weights as "exampleWeights" [1, R].
 *
 * <p>The squeeze is affine rather than a clip, so a unit whose mean activation is exactly 0 or 1 still gets a finite,
 * non-zero gradient that pushes it towards p. The returned penalty is not yet scaled by {@link PenaltyScaling}.
 *
 * <p>With a moving average (see {@link #PenaltyGraph(PenaltySpec, DataType, long, boolean)}) the graph takes two more
 * placeholders [1, n], a batch factor f and a previous term r. The caller passes {@code f = 1 - d} and
 * {@code r = d qhat_prev} for decay d, or {@code f = 1, r = 0} for the first minibatch. Because r is a placeholder,
 * the gradient flows only through the current minibatch's term {@code (1 - d) q_j}.
 *
 * <p>Activations of rank 3 and 4 are laid out as rows by {@link ActivationRows} first, and a mask sets the example
 * weights, so one graph serves every shape. Sums over the minibatch are matrix products rather than SameDiff
 * reductions: on ND4J 1.0.0-M2.1 a SameDiff reduction of a vector whose output keeps all its elements (a mean over
 * one example) fails with a NullPointerException.
 *
 * <p>One instance builds its graph once, outside any ND4J workspace, for a fixed number of units, and is reused for
 * every minibatch size. Instances are not thread-safe; each DL4J layer instance owns its own.
 */
public final class PenaltyGraph {

    /** Name of the placeholder that receives the activations [m, n] in the L1 graph. */
    public static final String ACTIVATIONS = "activations";
    /** Name of the placeholder that receives the weighted mean of each unit [1, n] in the KL, MSE and MAE graphs. */
    public static final String BATCH_MEAN = "batchMean";
    /** Name of the placeholder that receives the example weights [1, m]: 1/m for a mean, 1 for L1's sum. */
    public static final String EXAMPLE_WEIGHTS = "exampleWeights";
    /** Name of the variable holding the mean activation of each unit, shape [1, n]. */
    public static final String MEAN_ACTIVATION = "meanActivation";
    /** Name of the variable holding each unit's term before the weight is applied, shape [1, n]. */
    public static final String UNIT_PENALTY = "unitPenalty";
    /** Name of the scalar penalty variable, shape [1, 1], which is also the graph's loss variable. */
    public static final String PENALTY = "penalty";
    /** Name of the moving-average placeholder [1, n] that multiplies the minibatch mean: 1 - d, or 1 at first. */
    public static final String BATCH_FACTOR = "batchFactor";
    /** Name of the moving-average placeholder [1, n] added to the scaled minibatch mean: d qhat_prev, or 0. */
    public static final String PREVIOUS_TERM = "previousTerm";
    /** Name of the variable holding the moving average qhat [1, n] that the penalty uses in place of q. */
    public static final String SMOOTHED_MEAN = "smoothedMean";

    private static final List<String> PENALTY_OUTPUT = List.of(PENALTY);
    private static final List<String> ACTIVATIONS_GRADIENT = List.of(ACTIVATIONS);
    private static final List<String> MEAN_GRADIENT = List.of(BATCH_MEAN);

    private final PenaltySpec spec;
    private final DataType dataType;
    private final long units;
    private final SameDiff sameDiff;
    private final boolean movingAverage;
    /**
     * Affine map {@code (q + inputOffset) * inputScale + inputShift} applied to the mean before it enters a graph
     * without a moving average: the tanh shift {@code (q + 1) / 2}, and for KL the squeeze. A graph with a moving
     * average applies both itself (offset 0, scale 1, shift 0). Adding the offset first maps a tanh mean of -1 to
     * exactly epsilon. One affine step with the combined scale and shift would give 8.94e-8 in float32 for epsilon
     * 1e-7.
     */
    private final double inputOffset;
    private final double inputScale;
    private final double inputShift;
    /** Constant added to the graph's output: {@code -beta n H(p)} for KL without a moving average, otherwise 0. */
    private final double valueOffset;
    /** Constant added to each unit's term: {@code -H(p)} for KL without a moving average, otherwise 0. */
    private final double unitOffset;
    /**
     * Input of the replayed graph without a moving average [1, n]: the mean after the affine map and the clamp.
     * Null for the other graphs, which run through SameDiff's session.
     */
    private final INDArray mappedMean;
    /** The mapped mean's value for a mean of exactly 1, the upper clamp of a KL graph's input. */
    private final double mappedUpperBound;
    /** Replays of the graph without a moving average: the penalty alone, and the penalty with its gradient. */
    private final OpReplay valueReplay;
    private final OpReplay gradientReplay;
    /** Name of the variable d(penalty)/d(batchMean) in SameDiff's gradient function; null for the other graphs. */
    private final String meanGradientName;
    /**
     * Name of the variable d(penalty)/d(weight) in SameDiff's gradient function of the replayed graph, or null for
     * the other graphs. The penalty is beta times this derivative because it is linear in its weight.
     */
    private final String weightGradientName;
    private INDArray cachedWeights;
    /** Whether the affine map and the gradient's scale may run as Java loops over host memory (CPU backend only). */
    private final boolean hostLoops = DenseRowOps.onCpuBackend();

    /**
     * Builds the graph for the given settings, floating-point type and number of units.
     *
     * @param spec penalty settings
     * @param dataType DOUBLE or FLOAT; activations of other floating-point types are cast to FLOAT
     * @param units number of units n, the activations' second dimension
     */
    public PenaltyGraph(PenaltySpec spec, DataType dataType, long units) {
        this(spec, dataType, units, false);
    }

    /**
     * Builds the graph for the given settings, floating-point type and number of units, optionally with the
     * moving-average placeholders {@link #BATCH_FACTOR} and {@link #PREVIOUS_TERM}.
     *
     * @param spec penalty settings
     * @param dataType DOUBLE or FLOAT; activations of other floating-point types are cast to FLOAT
     * @param units number of units n, the activations' second dimension
     * @param movingAverage whether the penalty uses a moving average of the mean activation; not defined for L1
     */
    public PenaltyGraph(PenaltySpec spec, DataType dataType, long units, boolean movingAverage) {
        this.spec = Objects.requireNonNull(spec, "spec");
        if (dataType != DataType.DOUBLE && dataType != DataType.FLOAT) {
            throw new IllegalArgumentException("Invalid dataType = " + dataType + ": a penalty graph is built in "
                    + "DOUBLE or FLOAT");
        }
        if (units < 1) {
            throw new IllegalArgumentException("Invalid units = " + units + ": a penalty graph needs at least 1 unit");
        }
        if (dataType == DataType.FLOAT && spec.weight() > Float.MAX_VALUE) {
            throw new IllegalArgumentException("Invalid weight = " + spec.weight() + " for a FLOAT network: it "
                    + "overflows float32, whose largest value is " + Float.MAX_VALUE + "; use a smaller weight or a "
                    + "DOUBLE network");
        }
        if (movingAverage && spec.penalty() == SparsityPenalty.L1) {
            throw new IllegalArgumentException("Invalid movingAverage = true for the L1 penalty: L1 sums absolute "
                    + "activations and has no mean activation to average");
        }
        this.dataType = dataType;
        this.units = units;
        this.movingAverage = movingAverage;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            SameDiff sd = SameDiff.create();
            if (spec.penalty() == SparsityPenalty.L1) {
                SDVariable activations = sd.placeHolder(ACTIVATIONS, dataType, -1, units);
                SDVariable weights = sd.placeHolder(EXAMPLE_WEIGHTS, dataType, 1, -1);
                sd.setLossVariables(define(sd, activations, weights, units, spec));
                GradientFunctionBuilder.create(sd, ACTIVATIONS);
            } else if (movingAverage) {
                SDVariable batchMean = sd.placeHolder(BATCH_MEAN, dataType, 1, units);
                SDVariable batchFactor = sd.placeHolder(BATCH_FACTOR, dataType, 1, units);
                SDVariable previousTerm = sd.placeHolder(PREVIOUS_TERM, dataType, 1, units);
                sd.setLossVariables(defineOnMean(sd, batchMean, units, spec, batchFactor, previousTerm));
                GradientFunctionBuilder.create(sd, BATCH_MEAN);
            } else {
                SDVariable mappedMean = sd.placeHolder(BATCH_MEAN, dataType, 1, units);
                sd.setLossVariables(defineOnMappedMean(sd, mappedMean, units, spec));
                GradientFunctionBuilder.create(sd, BATCH_MEAN);
            }
            this.sameDiff = sd;
        }
        boolean mapped = !movingAverage && spec.penalty() != SparsityPenalty.L1;
        boolean kl = mapped && spec.penalty() == SparsityPenalty.KL;
        double squeezeScale = kl ? 1.0 - 2.0 * spec.epsilon() : 1.0;
        this.inputOffset = mapped && spec.shiftFromTanh() ? 1.0 : 0.0;
        double shiftScale = spec.shiftFromTanh() ? 0.5 : 1.0;
        this.inputScale = mapped ? squeezeScale * shiftScale : 1.0;
        this.inputShift = kl ? spec.epsilon() : 0.0;
        this.unitOffset = kl ? -entropy(spec.target()) : 0.0;
        this.valueOffset = kl ? spec.weight() * units * unitOffset : 0.0;
        if (mapped) {
            this.meanGradientName = sameDiff.getVariable(BATCH_MEAN).getGradient().name();
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                this.mappedMean = Nd4j.create(dataType, 1, units);
                this.mappedUpperBound = mapInput(Nd4j.ones(dataType, 1, 1)).getDouble(0);
                this.valueReplay = new OpReplay(sameDiff, BATCH_MEAN, mappedMean, PENALTY_OUTPUT);
                // "grad" is the name under which SameDiff stores the gradient function it created above.
                SameDiff gradient = sameDiff.getFunction("grad");
                this.weightGradientName = weightGradientName(gradient, meanGradientName);
                this.gradientReplay = new OpReplay(gradient, BATCH_MEAN, mappedMean,
                        List.of(meanGradientName, weightGradientName));
            }
        } else {
            this.meanGradientName = null;
            this.weightGradientName = null;
            this.mappedMean = null;
            this.mappedUpperBound = Double.NaN;
            this.valueReplay = null;
            this.gradientReplay = null;
        }
    }

    /**
     * Returns the name of the loss weight's gradient, the second output of the loss gradient op that computes the
     * mean's gradient: libnd4j's loss gradient ops return the gradients for the predictions, the weights and the
     * labels, in that order.
     */
    private static String weightGradientName(SameDiff gradient, String meanGradientName) {
        String[] outputs = gradient.getVariableOutputOp(meanGradientName).outputVariablesNames();
        if (outputs.length != 3 || !outputs[0].equals(meanGradientName)) {
            throw new IllegalStateException("Cannot replay the graph: the op that computes '" + meanGradientName
                    + "' has outputs " + Arrays.toString(outputs) + ", expected three, the gradients for the "
                    + "predictions, the weights and the labels");
        }
        return outputs[1];
    }

    /**
     * Returns the number of ops that a call replays, with or without the gradient, or 0 for a graph that runs through
     * SameDiff's session.
     */
    int replayedOpCount(boolean withGradient) {
        OpReplay replay = withGradient ? gradientReplay : valueReplay;
        return replay == null ? 0 : replay.opCount();
    }

    /** Returns the entropy {@code H(p) = -p ln p - (1 - p) ln(1 - p)} of a Bernoulli variable, in nats. */
    private static double entropy(double p) {
        return -(p * Math.log(p) + (1.0 - p) * Math.log(1.0 - p));
    }

    /**
     * Defines the evaluation graph without a moving average: the placeholder receives the mean after the tanh shift
     * and, for KL, after the squeeze, so the graph is the loss op alone, one op forward and one backward. On ND4J
     * 1.0.0-M2.1 each op of a SameDiff call costs Java bookkeeping that dominates the arithmetic on [1, n] rows,
     * which is why the two affine maps and the constant {@code -beta n H(p)} of KL stay outside the graph.
     */
    private static SDVariable defineOnMappedMean(SameDiff sd, SDVariable mappedMean, long units, PenaltySpec spec) {
        DataType type = mappedMean.dataType();
        SDVariable target = sd.constant("target", Nd4j.valueArrayOf(new long[] {1, units}, spec.target(), type));
        SDVariable weight = sd.constant("weight", Nd4j.scalar(type, spec.weight()));
        SDVariable unitWeight = sd.constant("unitWeight", Nd4j.scalar(type, 1.0));
        return switch (spec.penalty()) {
            case KL -> {
                // beta * sum_j BCE(p, q'_j); the value adds -beta n H(p), which does not change the gradient.
                sd.loss().logLoss(UNIT_PENALTY, target, mappedMean, unitWeight, LossReduce.NONE, 0.0);
                yield sd.loss().logLoss(PENALTY, target, mappedMean, weight, LossReduce.SUM, 0.0);
            }
            case MSE -> {
                sd.loss().meanSquaredError(UNIT_PENALTY, target, mappedMean, unitWeight, LossReduce.NONE);
                yield sd.loss().meanSquaredError(PENALTY, target, mappedMean, weight, LossReduce.SUM);
            }
            case MAE -> {
                sd.loss().absoluteDifference(UNIT_PENALTY, target, mappedMean, unitWeight, LossReduce.NONE);
                yield sd.loss().absoluteDifference(PENALTY, target, mappedMean, weight, LossReduce.SUM);
            }
            default -> throw new IllegalStateException("Unhandled penalty " + spec.penalty());
        };
    }

    /**
     * Adds the penalty of {@code activations} [m, n] to an existing SameDiff graph and returns the penalty variable
     * [1, 1], named {@link #PENALTY} unless that name is taken. The caller adds it to its own loss.
     *
     * @param sd graph to extend
     * @param activations coding-layer activations [m, n]
     * @param exampleWeights [1, m]: 1/m for every example for KL, MSE and MAE; 1 for L1
     * @param units number of units n
     * @param spec penalty settings
     * @return the penalty variable {@code beta * sum_j u_j}
     */
    public static SDVariable define(SameDiff sd, SDVariable activations, SDVariable exampleWeights, long units,
                                    PenaltySpec spec) {
        return define(sd, activations, exampleWeights, units, spec, null, null);
    }

    /** Defines the penalty of activations [m, n] as above. */
    private static SDVariable define(SameDiff sd, SDVariable activations, SDVariable exampleWeights, long units,
                                     PenaltySpec spec, SDVariable batchFactor, SDVariable previousTerm) {
        if (spec.penalty() == SparsityPenalty.L1) {
            SDVariable unit = sd.mmul(uniqueName(sd, UNIT_PENALTY), exampleWeights, sd.math().abs(activations));
            return sum(sd, unit, units).mul(uniqueName(sd, PENALTY), spec.weight());
        }
        SDVariable mean = sd.mmul(exampleWeights, activations);
        return defineOnMean(sd, mean, units, spec, batchFactor, previousTerm);
    }

    /**
     * Defines the KL, MSE or MAE penalty [1, 1] of the weighted means [1, n]; with non-null moving-average inputs it
     * uses qhat = f q + r in place of q. Also defines the per-unit terms as {@link #UNIT_PENALTY}, which SameDiff
     * computes only when they are requested.
     */
    private static SDVariable defineOnMean(SameDiff sd, SDVariable mean, long units, PenaltySpec spec,
                                           SDVariable batchFactor, SDVariable previousTerm) {
        double p = spec.target();
        double beta = spec.weight();
        SDVariable batchMean = spec.shiftFromTanh()
                ? mean.add(1.0).mul(uniqueName(sd, MEAN_ACTIVATION), 0.5)
                : mean;
        SDVariable q = batchFactor == null ? batchMean
                : batchMean.mul(batchFactor).add(uniqueName(sd, SMOOTHED_MEAN), previousTerm);
        DataType type = mean.dataType();
        SDVariable target = sd.constant(uniqueName(sd, "target"), Nd4j.valueArrayOf(new long[] {1, units}, p, type));
        SDVariable weight = sd.constant(uniqueName(sd, "weight"), Nd4j.scalar(type, beta));
        SDVariable one = sd.constant(uniqueName(sd, "one"), Nd4j.scalar(type, 1.0));
        // SameDiff's loss ops mark their outputs as loss variables; the caller decides which loss the graph has.
        List<String> losses = new ArrayList<>(sd.getLossVariables());
        SDVariable penalty = switch (spec.penalty()) {
            case KL -> {
                double eps = spec.epsilon();
                SDVariable squeezed = q.mul(1.0 - 2.0 * eps).add(eps);
                // KL(p || q) = BCE(p, q) - H(p) with BCE(p, q) = -p ln q - (1 - p) ln(1 - q), H(p) = BCE(p, p).
                double entropy = entropy(p);
                sd.loss().logLoss(null, target, squeezed, one, LossReduce.NONE, 0.0)
                        .sub(uniqueName(sd, UNIT_PENALTY), entropy);
                yield sd.loss().logLoss(null, target, squeezed, weight, LossReduce.SUM, 0.0)
                        .sub(uniqueName(sd, PENALTY), beta * units * entropy);
            }
            case MSE -> {
                sd.loss().meanSquaredError(uniqueName(sd, UNIT_PENALTY), target, q, one, LossReduce.NONE);
                yield sd.loss().meanSquaredError(uniqueName(sd, PENALTY), target, q, weight, LossReduce.SUM);
            }
            case MAE -> {
                sd.loss().absoluteDifference(uniqueName(sd, UNIT_PENALTY), target, q, one, LossReduce.NONE);
                yield sd.loss().absoluteDifference(uniqueName(sd, PENALTY), target, q, weight, LossReduce.SUM);
            }
            default -> throw new IllegalStateException("Unhandled penalty " + spec.penalty());
        };
        sd.setLossVariables(losses.toArray(new String[0]));
        return penalty;
    }

    /** Returns the sum of a [1, n] row as [1, 1]; one unit needs no sum, and matmul_bp fails on [1, 1] x [1, 1]. */
    private static SDVariable sum(SameDiff sd, SDVariable row, long units) {
        if (units == 1) {
            return row;
        }
        SDVariable ones = sd.constant(uniqueName(sd, "unitOnes"), Nd4j.ones(row.dataType(), units, 1));
        return sd.mmul(row, ones);
    }

    private static String uniqueName(SameDiff sd, String base) {
        if (!sd.hasVariable(base)) {
            return base;
        }
        int suffix = 1;
        while (sd.hasVariable(base + "_" + suffix)) {
            suffix++;
        }
        return base + "_" + suffix;
    }

    /** Returns the settings this graph was built from. */
    public PenaltySpec spec() {
        return spec;
    }

    /** Returns the number of units n the graph was built for. */
    public long units() {
        return units;
    }

    /** Returns the floating-point type the graph computes in. */
    public DataType dataType() {
        return dataType;
    }

    /** Returns the underlying SameDiff instance, for inspection; do not modify it. */
    public SameDiff sameDiff() {
        return sameDiff;
    }

    /**
     * Computes the unscaled penalty of a minibatch.
     *
     * @param activations rank-2 activations [m, n], m at least 1
     * @return {@code beta * sum_j u_j}
     */
    public double value(INDArray activations) {
        checkShape(activations);
        return evaluate(activations, uniformWeights(activations.size(0)), null, 0.0, false).value();
    }

    /**
     * Computes the unscaled penalty of a minibatch and its gradient with respect to the activations, in one SameDiff
     * execution. The gradient array is detached from every workspace and has the activations' data type.
     *
     * @param activations rank-2 activations [m, n], m at least 1
     * @return the penalty and d(penalty)/d(activations), shape [m, n]
     */
    public ValueAndGradient valueAndGradient(INDArray activations) {
        checkShape(activations);
        Evaluation result = evaluate(activations, uniformWeights(activations.size(0)), null, 0.0, true);
        return new ValueAndGradient(result.value(), result.gradient());
    }

    /**
     * Computes the unscaled penalty of rows with given example weights, and optionally its gradient, in one SameDiff
     * execution. Every returned array is detached from workspaces.
     *
     * @param rows activations laid out as rows [R, n], for example by {@link ActivationRows}
     * @param exampleWeights [1, R]: each row's weight in the mean (summing to 1), or in L1's sum
     * @param previousMean qhat of the previous minibatch [1, n] for a moving-average graph, or null for its first
     *        minibatch; ignored without a moving average
     * @param decay moving-average decay d in [0, 1); ignored without a moving average
     * @param withGradient whether to compute d(penalty)/d(rows)
     * @return the penalty, the gradient [R, n] or null, the minibatch mean q and the moving average qhat
     */
    public Evaluation evaluate(INDArray rows, INDArray exampleWeights, INDArray previousMean, double decay,
                               boolean withGradient) {
        checkShape(rows);
        if (exampleWeights.length() != rows.size(0)) {
            throw new IllegalArgumentException("Invalid exampleWeights shape " + Arrays.toString(exampleWeights.shape())
                    + ": expected [1, " + rows.size(0) + "], one weight per row");
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray weights = cast(exampleWeights).reshape(1, exampleWeights.length());
            if (spec.penalty() == SparsityPenalty.L1) {
                return evaluateL1(rows, weights, withGradient);
            }
            INDArray rawMean = weights.mmul(cast(rows));
            Evaluation onMean = evaluateOnMean(rawMean, previousMean, decay, withGradient, 1.0);
            INDArray gradient = null;
            if (withGradient) {
                // d(penalty)/da_ij = w_i d(penalty)/dq_j: the outer product of the weights and the mean's gradient.
                gradient = weights.reshape(weights.length(), 1).mmul(onMean.gradient());
                gradient = gradient.dataType() == rows.dataType() ? gradient : gradient.castTo(rows.dataType());
            }
            return new Evaluation(onMean.value(), gradient, onMean.batchMean(), onMean.penaltyMean());
        }
    }

    /**
     * Computes the unscaled KL, MSE or MAE penalty from given per-unit means, and optionally its gradient with
     * respect to those means, in one SameDiff execution. This is {@link #evaluate} for one row of weight 1, without
     * the matrix products around the graph: callers that compute q themselves (a column mean of dense activations)
     * use it and broadcast {@code d(penalty)/dq_j / m} over the minibatch.
     *
     * <p>The gradient is a new array, detached from workspaces. For a sigmoid graph without a moving average, the
     * returned means are {@code means} itself, not a copy and not clamped, so they stay in the caller's workspace
     * and change when the caller changes it. Copy them to keep them.
     *
     * @param means q [1, n] (in [-1, 1] for a tanh graph, before the shift)
     * @param previousMean qhat of the previous minibatch [1, n] for a moving-average graph, or null for its first
     *        minibatch; ignored without a moving average
     * @param decay moving-average decay d in [0, 1); ignored without a moving average
     * @param withGradient whether to compute d(penalty)/dq
     * @return the penalty, d(penalty)/dq [1, n] or null, q after the tanh shift and the mean the penalty used
     * @throws UnsupportedOperationException for L1, whose value depends on every activation
     */
    public Evaluation evaluateMean(INDArray means, INDArray previousMean, double decay, boolean withGradient) {
        return evaluateMean(means, previousMean, decay, withGradient, 1.0);
    }

    /**
     * Computes the penalty as {@link #evaluateMean(INDArray, INDArray, double, boolean)} does, with the gradient
     * multiplied by {@code gradientScale}. A caller that scales the gradient anyway (for example by the factor that
     * undoes DL4J's division by the minibatch size) saves an op on each call.
     *
     * @param means q [1, n] (in [-1, 1] for a tanh graph, before the shift)
     * @param previousMean qhat of the previous minibatch [1, n] for a moving-average graph, or null for its first
     *        minibatch; ignored without a moving average
     * @param decay moving-average decay d in [0, 1); ignored without a moving average
     * @param withGradient whether to compute d(penalty)/dq
     * @param gradientScale factor applied to the returned gradient
     * @return the penalty, {@code gradientScale * d(penalty)/dq} [1, n] or null, q after the tanh shift and the mean
     *         the penalty used
     * @throws UnsupportedOperationException for L1, whose value depends on every activation
     */
    public Evaluation evaluateMean(INDArray means, INDArray previousMean, double decay, boolean withGradient,
                                   double gradientScale) {
        if (spec.penalty() == SparsityPenalty.L1) {
            throw new UnsupportedOperationException("evaluateMean is not defined for the L1 penalty: its value "
                    + "depends on every activation, not on the mean activation");
        }
        INDArray row = meansRow(means, gradientScale);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return evaluateOnMean(cast(row), previousMean, decay, withGradient, gradientScale);
        }
    }

    /**
     * Computes the penalty of given per-unit means, as {@link #evaluateMean(INDArray, INDArray, double, boolean,
     * double)} does with a gradient, and writes {@code gradientScale * d(penalty)/dq} into the caller's array instead
     * of a new one. When both are plain arrays of this graph's data type (not views), no ND4J array is allocated, so a
     * layer that keeps its mean and its gradient in arrays of its own adds none per training step. Only a graph
     * without a moving average has this path.
     *
     * @param means q [1, n] (in [-1, 1] for a tanh graph, before the shift); not changed
     * @param gradientScale factor applied to the gradient
     * @param gradient receives the scaled gradient: an array [1, n] of this graph's data type
     * @return the penalty, not yet scaled by {@link PenaltyScaling}
     * @throws UnsupportedOperationException for L1 and for a graph with a moving average
     * @throws IllegalArgumentException if {@code means} does not hold n values, or {@code gradient} is not [1, n] or
     *         not of this graph's data type
     */
    public double evaluateMeanInto(INDArray means, double gradientScale, INDArray gradient) {
        if (spec.penalty() == SparsityPenalty.L1 || movingAverage) {
            throw new UnsupportedOperationException("evaluateMeanInto is defined only for a KL, MSE or MAE graph "
                    + "without a moving average; use evaluateMean");
        }
        INDArray row = meansRow(means, gradientScale);
        Objects.requireNonNull(gradient, "gradient");
        if (gradient.rank() != 2 || gradient.size(0) != 1 || gradient.size(1) != units
                || gradient.dataType() != dataType) {
            throw new IllegalArgumentException("Invalid gradient array: shape " + Arrays.toString(gradient.shape())
                    + " and type " + gradient.dataType() + ", expected shape [1, " + units + "] and type " + dataType);
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            double value = replay(cast(row), true);
            scaleGradientInto(inputScale * gradientScale, gradient);
            return value;
        }
    }

    /** Checks the per-unit means and the gradient scale, and returns the means as a row [1, n]. */
    private INDArray meansRow(INDArray means, double gradientScale) {
        Objects.requireNonNull(means, "means");
        if (means.length() != units) {
            throw new IllegalArgumentException("Invalid means shape " + Arrays.toString(means.shape()) + ": expected "
                    + units + " values, one mean per unit");
        }
        if (!Double.isFinite(gradientScale)) {
            throw new IllegalArgumentException("Invalid gradientScale = " + gradientScale + ": expected a finite "
                    + "number");
        }
        return means.rank() == 2 && means.size(0) == 1 ? means : means.reshape(1, units);
    }

    private Evaluation evaluateOnMean(INDArray unclampedMean, INDArray previousMean, double decay,
                                      boolean withGradient, double gradientScale) {
        if (!movingAverage) {
            return replayOnMean(unclampedMean, withGradient, gradientScale);
        }
        // A moving-average graph computes the shift, the average and the squeeze itself, so the mean enters as it is.
        INDArray rawMean = clampMean(unclampedMean);
        Map<String, INDArray> inputs = new HashMap<>();
        inputs.put(BATCH_MEAN, rawMean);
        putMovingAverageInputs(inputs, previousMean, decay);
        List<String> outputs = List.of(PENALTY, SMOOTHED_MEAN);
        Map<String, INDArray> values;
        INDArray gradient = null;
        if (withGradient) {
            OutAndGrad result = sameDiff.calculateGradientsAndOutputs(inputs, outputs, MEAN_GRADIENT);
            values = result.getOutputs();
            // mul also detaches the gradient from the session's arrays.
            gradient = result.getGradients().get(BATCH_MEAN).mul(gradientScale);
        } else {
            values = sameDiff.output(inputs, outputs);
        }
        INDArray batchMean = spec.shiftFromTanh() ? rawMean.add(1.0).muli(0.5) : rawMean;
        return new Evaluation(values.get(PENALTY).getDouble(0), gradient, batchMean, values.get(SMOOTHED_MEAN).dup());
    }

    /**
     * Evaluates the graph without a moving average by replaying its ops (see {@link OpReplay}). The mean is mapped
     * into the replay's input array, and for KL the input is clamped at the image of 1, which equals mapping the mean
     * clamped at 1 (see {@link #clampMean}) because the map increases. The returned means are the caller's mean, after
     * the tanh shift.
     */
    private Evaluation replayOnMean(INDArray rawMean, boolean withGradient, double gradientScale) {
        double value = replay(rawMean, withGradient);
        INDArray gradient = null;
        if (withGradient) {
            // The chain rule through the affine input map multiplies by its scale, and the copy leaves the replay.
            gradient = Nd4j.createUninitialized(dataType, 1, units);
            scaleGradientInto(inputScale * gradientScale, gradient);
        }
        INDArray batchMean = spec.shiftFromTanh() ? rawMean.add(1.0).muli(0.5) : rawMean;
        return new Evaluation(value, gradient, batchMean, batchMean);
    }

    /**
     * Maps the mean into the replay's input, clamps it for KL, runs the replay and returns the penalty. The gradient,
     * if requested, stays in the replay's array until the next call.
     */
    private double replay(INDArray rawMean, boolean withGradient) {
        if (hostLoops && isPlainRow(rawMean)) {
            mapElements(rawMean.data());
        } else {
            mapInto(rawMean, mappedMean);
            if (spec.penalty() == SparsityPenalty.KL) {
                BooleanIndexing.replaceWhere(mappedMean, mappedUpperBound, Conditions.greaterThan(mappedUpperBound));
            }
        }
        if (!withGradient) {
            valueReplay.run();
            return valueReplay.array(PENALTY).getDouble(0) + valueOffset;
        }
        // The loss is linear in its scalar weight beta, so the penalty is beta * d(penalty)/d(beta). The gradient op
        // returns that derivative too, so a training call runs only this op.
        gradientReplay.run();
        return spec.weight() * gradientReplay.array(weightGradientName).getDouble(0) + valueOffset;
    }

    /**
     * Returns whether element i of the array is element i of its data buffer, as for an array of its own or a view
     * that starts its buffer without a stride.
     */
    private static boolean isPlainRow(INDArray array) {
        return array.offset() == 0 && array.elementWiseStride() == 1 && array.data().length() == array.length();
    }

    /**
     * Writes the affine input map of a plain row into the replay's input and clamps a KL input at the image of 1, in
     * Java. These are the operations of {@link #mapInto} and the clamp, in the same order and the same precision, so
     * the results are identical. In a timing probe, loops over 300 values through {@code DataBuffer} getters and
     * setters took about 3 microseconds, where each ND4J 1.0.0-M2.1 op they replace took about 10 (estimates). The
     * loops now go through NIO buffers, which a later probe found no slower at 300 values.
     */
    private void mapElements(DataBuffer source) {
        boolean clamp = spec.penalty() == SparsityPenalty.KL;
        int n = Math.toIntExact(units);
        if (dataType == DataType.FLOAT) {
            FloatBuffer from = source.asNioFloat();
            FloatBuffer to = mappedMean.data().asNioFloat();
            float offset = (float) inputOffset;
            float scale = (float) inputScale;
            float shift = (float) inputShift;
            float upper = (float) mappedUpperBound;
            for (int i = 0; i < n; i++) {
                float value = from.get(i);
                if (inputOffset != 0.0) {
                    value += offset;
                }
                value *= scale;
                if (inputShift != 0.0) {
                    value += shift;
                }
                to.put(i, clamp && value > upper ? upper : value);
            }
        } else {
            DoubleBuffer from = source.asNioDouble();
            DoubleBuffer to = mappedMean.data().asNioDouble();
            for (int i = 0; i < n; i++) {
                double value = from.get(i);
                if (inputOffset != 0.0) {
                    value += inputOffset;
                }
                value *= inputScale;
                if (inputShift != 0.0) {
                    value += inputShift;
                }
                to.put(i, clamp && value > mappedUpperBound ? mappedUpperBound : value);
            }
        }
    }

    /**
     * Writes {@code factor} times the replayed gradient into {@code gradient}, in Java on the CPU backend when both are
     * plain rows.
     */
    private void scaleGradientInto(double factor, INDArray gradient) {
        INDArray replayed = gradientReplay.array(meanGradientName);
        if (!hostLoops || !isPlainRow(gradient) || !isPlainRow(replayed)) {
            replayed.mul(factor, gradient);
            return;
        }
        int n = Math.toIntExact(units);
        if (dataType == DataType.FLOAT) {
            FloatBuffer from = replayed.data().asNioFloat();
            FloatBuffer to = gradient.data().asNioFloat();
            float scale = (float) factor;
            for (int i = 0; i < n; i++) {
                to.put(i, from.get(i) * scale);
            }
        } else {
            DoubleBuffer from = replayed.data().asNioDouble();
            DoubleBuffer to = gradient.data().asNioDouble();
            for (int i = 0; i < n; i++) {
                to.put(i, from.get(i) * factor);
            }
        }
    }

    /**
     * Returns the KL mean with values above 1 set to 1, as a new array; returns other penalties' means unchanged. A
     * mean of activations in [0, 1] can round slightly above 1 in float32 (ten 1.0f rows weighted 0.1f each sum to
     * 1.0000001f), and the squeezed mean then reaches 1, where ln(1 - q') is not finite. NaN stays NaN, so a
     * diverged network is still reported. The clamp sits outside the graph, so the gradient at 1 passes to the mean
     * unchanged. Means below 0 (or -1 for tanh) need no clamp, because rounding there stays far inside the squeeze.
     */
    private INDArray clampMean(INDArray mean) {
        if (spec.penalty() != SparsityPenalty.KL) {
            return mean;
        }
        INDArray clamped = mean.dup();
        BooleanIndexing.replaceWhere(clamped, 1.0, Conditions.greaterThan(1.0));
        return clamped;
    }

    /** Applies the affine input map of a graph without a moving average; returns the mean itself otherwise. */
    private INDArray mapInput(INDArray rawMean) {
        if (inputOffset == 0.0 && inputScale == 1.0 && inputShift == 0.0) {
            return rawMean;
        }
        return mapInto(rawMean, Nd4j.createUninitialized(dataType, rawMean.shape()));
    }

    /** Writes the affine input map of {@code rawMean} into {@code target}, with one ND4J op per non-trivial step. */
    private INDArray mapInto(INDArray rawMean, INDArray target) {
        if (inputOffset != 0.0) {
            Nd4j.getExecutioner().exec(new ScalarAdd(rawMean, null, target, inputOffset));
            target.muli(inputScale);
        } else if (inputScale != 1.0) {
            Nd4j.getExecutioner().exec(new ScalarMultiplication(rawMean, null, target, inputScale));
        } else {
            target.assign(rawMean);
        }
        return inputShift == 0.0 ? target : target.addi(inputShift);
    }

    private Evaluation evaluateL1(INDArray rows, INDArray weights, boolean withGradient) {
        Map<String, INDArray> inputs = Map.of(ACTIVATIONS, cast(rows), EXAMPLE_WEIGHTS, weights);
        if (!withGradient) {
            return new Evaluation(sameDiff.output(inputs, PENALTY_OUTPUT).get(PENALTY).getDouble(0), null, null,
                    null);
        }
        OutAndGrad result = sameDiff.calculateGradientsAndOutputs(inputs, PENALTY_OUTPUT, ACTIVATIONS_GRADIENT);
        INDArray gradient = result.getGradients().get(ACTIVATIONS);
        gradient = gradient.dataType() == rows.dataType() ? gradient.dup() : gradient.castTo(rows.dataType());
        return new Evaluation(result.getOutputs().get(PENALTY).getDouble(0), gradient, null, null);
    }

    private void putMovingAverageInputs(Map<String, INDArray> inputs, INDArray previousMean, double decay) {
        boolean first = previousMean == null;
        inputs.put(BATCH_FACTOR, Nd4j.valueArrayOf(new long[] {1, units}, first ? 1.0 : 1.0 - decay, dataType));
        inputs.put(PREVIOUS_TERM, first ? Nd4j.zeros(dataType, 1, units)
                : cast(clampMean(previousMean.reshape(1, units))).mul(decay));
    }

    /** Returns whether this graph was built with the moving-average placeholders. */
    public boolean movingAverage() {
        return movingAverage;
    }

    /**
     * Evaluates each unit's unweighted term {@code u_j} for given mean activations. Not defined for L1, whose term
     * depends on every activation.
     *
     * @param meanActivations q, n values in [0, 1] (in [-1, 1] for a tanh graph)
     * @return {@code u_j} for each unit, shape [1, n]
     */
    public INDArray unitValues(INDArray meanActivations) {
        if (spec.penalty() == SparsityPenalty.L1) {
            throw new UnsupportedOperationException("unitValues is not defined for the L1 penalty: its term depends "
                    + "on every activation, not on the mean activation");
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray row = cast(meanActivations).reshape(1, meanActivations.length());
            checkShape(row);
            Map<String, INDArray> inputs = new HashMap<>();
            inputs.put(BATCH_MEAN, mapInput(row));
            if (movingAverage) {
                putMovingAverageInputs(inputs, null, 0.0);
            }
            INDArray values = sameDiff.output(inputs, UNIT_PENALTY).get(UNIT_PENALTY);
            return unitOffset == 0.0 ? values : values.add(unitOffset);
        }
    }

    private INDArray cast(INDArray activations) {
        return activations.dataType() == dataType ? activations : activations.castTo(dataType);
    }

    /** Returns uniform example weights [1, m]: 1/m for a mean, 1 for L1's sum, reused while m stays the same. */
    private INDArray uniformWeights(long minibatch) {
        if (cachedWeights == null || cachedWeights.length() != minibatch) {
            double weight = spec.penalty() == SparsityPenalty.L1 ? 1.0 : 1.0 / minibatch;
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                cachedWeights = Nd4j.valueArrayOf(new long[] {1, minibatch}, weight, dataType);
            }
        }
        return cachedWeights;
    }

    private void checkShape(INDArray activations) {
        if (activations.rank() != 2 || activations.size(1) != units || activations.size(0) < 1) {
            throw new IllegalArgumentException("Invalid activations shape " + Arrays.toString(activations.shape())
                    + ": this penalty graph expects [minibatch >= 1, " + units + "]");
        }
    }

    /**
     * Penalty of one minibatch and its gradient with respect to the activations.
     *
     * @param value unscaled penalty {@code beta * sum_j u_j}
     * @param gradient d(value)/d(activations), same shape as the activations, detached from workspaces
     */
    public record ValueAndGradient(double value, INDArray gradient) {
    }

    /**
     * Result of {@link #evaluate(INDArray, INDArray, INDArray, double, boolean)}.
     *
     * @param value unscaled penalty {@code beta * sum_j u_j}
     * @param gradient d(value)/d(rows) [R, n], or null when not requested
     * @param batchMean weighted mean q [1, n] of this minibatch, after the tanh shift; null for L1
     * @param penaltyMean the mean the penalty used [1, n]: qhat with a moving average, otherwise q; null for L1
     */
    public record Evaluation(double value, INDArray gradient, INDArray batchMean, INDArray penaltyMean) {
    }
}
