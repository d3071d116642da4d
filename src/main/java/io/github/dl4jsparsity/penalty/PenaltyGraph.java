package io.github.dl4jsparsity.penalty;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SameDiff graph of a sparsity penalty for rank-2 activations [m, n], differentiated by SameDiff autodiff.
 *
 * <p>The graph computes, for activations {@code a} and a row of example weights {@code w} [1, m]:
 * <pre>
 *   q_j  = sum_i w_i a_ij                      mean activation of unit j (w_i = 1/m), variable "meanActivation";
 *                                              for tanh, q_j is then mapped to (q_j + 1) / 2
 *   q'_j = epsilon + (1 - 2 epsilon) q_j       squeeze into [epsilon, 1 - epsilon], KL only
 *   u_j  = p ln(p / q'_j) + (1 - p) ln((1 - p) / (1 - q'_j))      KL, variable "unitPenalty"
 *   u_j  = sum_i |a_ij|  (L1, w_i = 1),   (q_j - p)^2  (MSE),   |q_j - p|  (MAE)
 *   penalty = beta * sum_j u_j                 variable "penalty", the loss variable, shape [1, 1]
 * </pre>
 * The squeeze is affine rather than a clip, so a unit whose mean activation is exactly 0 or 1 still gets a finite,
 * non-zero gradient that pushes it towards p. The returned penalty is not yet scaled by {@link PenaltyScaling}.
 *
 * <p>The mean over the minibatch is a matrix product {@code w a} rather than an ND4J reduction. On ND4J 1.0.0-M2.1 a
 * SameDiff reduction of a vector whose output keeps all its elements (a mean over one example) takes a shortcut
 * that fails with a NullPointerException. The sum over units is the product {@code u 1} as well, except for one
 * unit, where {@code matmul_bp} of a [1, 1] x [1, 1] product fails and no sum is needed.
 *
 * <p>With a moving average (see {@link #PenaltyGraph(PenaltySpec, DataType, long, boolean)}), the graph takes two more
 * placeholders [1, n], a batch factor f and a previous term r, and computes the penalty from
 * {@code qhat_j = f_j q_j + r_j} (variable "smoothedMean") in place of q_j. The caller passes {@code f = 1 - d} and
 * {@code r = d qhat_prev} for decay d, or {@code f = 1, r = 0} for the first minibatch. Because r is a placeholder,
 * the gradient flows only through the current minibatch's term {@code (1 - d) q_j}.
 *
 * <p>Activations of rank 3 and 4 are laid out as rows [R, n] by {@link ActivationRows} first, and a mask sets the
 * example weights, so one graph serves every shape.
 *
 * <p>One instance builds its graph once, outside any ND4J workspace, for a fixed number of units, and is reused for
 * every minibatch size. Instances are not thread-safe; each DL4J layer instance owns its own.
 */
public final class PenaltyGraph {

    /** Name of the placeholder that receives the activations [m, n]. */
    public static final String ACTIVATIONS = "activations";
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

    private final PenaltySpec spec;
    private final DataType dataType;
    private final long units;
    private final SameDiff sameDiff;
    private final boolean movingAverage;
    private INDArray cachedWeights;

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
        if (movingAverage && spec.penalty() == SparsityPenalty.L1) {
            throw new IllegalArgumentException("Invalid movingAverage = true for the L1 penalty: L1 sums absolute "
                    + "activations and has no mean activation to average");
        }
        this.dataType = dataType;
        this.units = units;
        this.movingAverage = movingAverage;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            SameDiff sd = SameDiff.create();
            SDVariable activations = sd.placeHolder(ACTIVATIONS, dataType, -1, units);
            SDVariable weights = sd.placeHolder(EXAMPLE_WEIGHTS, dataType, 1, -1);
            SDVariable batchFactor = movingAverage ? sd.placeHolder(BATCH_FACTOR, dataType, 1, units) : null;
            SDVariable previousTerm = movingAverage ? sd.placeHolder(PREVIOUS_TERM, dataType, 1, units) : null;
            SDVariable penalty = define(sd, activations, weights, units, spec, batchFactor, previousTerm);
            sd.setLossVariables(penalty);
            GradientFunctionBuilder.create(sd, ACTIVATIONS);
            this.sameDiff = sd;
        }
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

    /** Defines the penalty as above; with non-null moving-average inputs it uses qhat = f q + r in place of q. */
    private static SDVariable define(SameDiff sd, SDVariable activations, SDVariable exampleWeights, long units,
                                     PenaltySpec spec, SDVariable batchFactor, SDVariable previousTerm) {
        SparsityPenalty kind = spec.penalty();
        double p = spec.target();
        SDVariable unit;
        if (kind == SparsityPenalty.L1) {
            unit = sd.mmul(uniqueName(sd, UNIT_PENALTY), exampleWeights, sd.math().abs(activations));
        } else {
            SDVariable mean = sd.mmul(exampleWeights, activations);
            SDVariable batchMean = spec.shiftFromTanh()
                    ? mean.add(1.0).mul(uniqueName(sd, MEAN_ACTIVATION), 0.5)
                    : mean.add(uniqueName(sd, MEAN_ACTIVATION), 0.0);
            SDVariable q = batchFactor == null ? batchMean
                    : batchMean.mul(batchFactor).add(uniqueName(sd, SMOOTHED_MEAN), previousTerm);
            switch (kind) {
                case KL -> {
                    double eps = spec.epsilon();
                    SDVariable squeezed = q.mul(1.0 - 2.0 * eps).add(eps);
                    // p ln(p / q) + (1 - p) ln((1 - p) / (1 - q)) = c - p ln q - (1 - p) ln(1 - q)
                    double c = p * Math.log(p) + (1.0 - p) * Math.log(1.0 - p);
                    SDVariable logQ = sd.math().log(squeezed).mul(p);
                    SDVariable logOneMinusQ = sd.math().log(squeezed.rsub(1.0)).mul(1.0 - p);
                    unit = logQ.add(logOneMinusQ).rsub(uniqueName(sd, UNIT_PENALTY), c);
                }
                case MSE -> unit = sd.math().square(q.sub(p)).add(uniqueName(sd, UNIT_PENALTY), 0.0);
                case MAE -> unit = sd.math().abs(q.sub(p)).add(uniqueName(sd, UNIT_PENALTY), 0.0);
                default -> throw new IllegalStateException("Unhandled penalty " + kind);
            }
        }
        if (units == 1) {
            // matmul_bp fails on a [1, 1] x [1, 1] product in ND4J 1.0.0-M2.1, and one unit needs no sum.
            return unit.mul(uniqueName(sd, PENALTY), spec.weight());
        }
        SDVariable ones = sd.constant(uniqueName(sd, "unitOnes"), Nd4j.ones(activations.dataType(), units, 1));
        return sd.mmul(unit, ones).mul(uniqueName(sd, PENALTY), spec.weight());
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
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            Map<String, INDArray> out = sameDiff.output(placeholders(activations), PENALTY_OUTPUT);
            return out.get(PENALTY).getDouble(0);
        }
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
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            OutAndGrad result = sameDiff.calculateGradientsAndOutputs(placeholders(activations), PENALTY_OUTPUT,
                    ACTIVATIONS_GRADIENT);
            double value = result.getOutputs().get(PENALTY).getDouble(0);
            INDArray gradient = result.getGradients().get(ACTIVATIONS);
            if (gradient.dataType() != activations.dataType()) {
                gradient = gradient.castTo(activations.dataType());
            }
            return new ValueAndGradient(value, gradient);
        }
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
            Map<String, INDArray> inputs = new HashMap<>();
            inputs.put(ACTIVATIONS, cast(rows));
            inputs.put(EXAMPLE_WEIGHTS, cast(exampleWeights.reshape(1, exampleWeights.length())));
            List<String> outputs = new ArrayList<>(List.of(PENALTY));
            if (spec.penalty() != SparsityPenalty.L1) {
                outputs.add(MEAN_ACTIVATION);
            }
            if (movingAverage) {
                boolean first = previousMean == null;
                inputs.put(BATCH_FACTOR, Nd4j.valueArrayOf(new long[] {1, units}, first ? 1.0 : 1.0 - decay,
                        dataType));
                inputs.put(PREVIOUS_TERM, first ? Nd4j.zeros(dataType, 1, units)
                        : cast(previousMean.reshape(1, units)).mul(decay));
                outputs.add(SMOOTHED_MEAN);
            }
            Map<String, INDArray> values;
            INDArray gradient = null;
            if (withGradient) {
                OutAndGrad result = sameDiff.calculateGradientsAndOutputs(inputs, outputs, ACTIVATIONS_GRADIENT);
                values = result.getOutputs();
                gradient = result.getGradients().get(ACTIVATIONS);
                gradient = gradient.dataType() == rows.dataType() ? gradient.dup() : gradient.castTo(rows.dataType());
            } else {
                values = sameDiff.output(inputs, outputs);
            }
            INDArray batchMean = values.containsKey(MEAN_ACTIVATION) ? values.get(MEAN_ACTIVATION).dup() : null;
            INDArray smoothed = movingAverage ? values.get(SMOOTHED_MEAN).dup() : batchMean;
            return new Evaluation(values.get(PENALTY).getDouble(0), gradient, batchMean, smoothed);
        }
    }

    /** Returns whether this graph was built with the moving-average placeholders. */
    public boolean movingAverage() {
        return movingAverage;
    }

    /**
     * Evaluates each unit's unweighted term {@code u_j} for given mean activations, by running the graph on one
     * example whose activations are {@code q}. Not defined for L1, whose term depends on every activation.
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
            return sameDiff.output(placeholders(row), UNIT_PENALTY).get(UNIT_PENALTY);
        }
    }

    private INDArray cast(INDArray activations) {
        return activations.dataType() == dataType ? activations : activations.castTo(dataType);
    }

    /** Returns the placeholder values for uniform example weights: 1/m for a mean, 1 for L1's sum. */
    private Map<String, INDArray> placeholders(INDArray activations) {
        long minibatch = activations.size(0);
        if (cachedWeights == null || cachedWeights.length() != minibatch) {
            double weight = spec.penalty() == SparsityPenalty.L1 ? 1.0 : 1.0 / minibatch;
            cachedWeights = Nd4j.valueArrayOf(new long[] {1, minibatch}, weight, dataType);
        }
        if (!movingAverage) {
            return Map.of(ACTIVATIONS, cast(activations), EXAMPLE_WEIGHTS, cachedWeights);
        }
        // Without a previous mean, qhat is the minibatch mean, as for the first minibatch of a moving average.
        return Map.of(ACTIVATIONS, cast(activations), EXAMPLE_WEIGHTS, cachedWeights,
                BATCH_FACTOR, Nd4j.ones(dataType, 1, units), PREVIOUS_TERM, Nd4j.zeros(dataType, 1, units));
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
