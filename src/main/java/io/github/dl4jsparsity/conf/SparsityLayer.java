package io.github.dl4jsparsity.conf;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.github.dl4jsparsity.layers.SparsityLayerImpl;
import io.github.dl4jsparsity.penalty.MeanEstimator;
import io.github.dl4jsparsity.penalty.PenaltyScaling;
import io.github.dl4jsparsity.penalty.PenaltySpec;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Layer configuration that wraps a feed-forward hidden layer (usually a sigmoid {@code DenseLayer}, the coding layer
 * of an autoencoder) and adds a sparsity penalty on its activations to the training loss.
 *
 * <p>For the wrapped layer's activations {@code a} with shape [m, n], the KL penalty is
 * {@code beta * sum_j [p ln(p / q_j) + (1 - p) ln((1 - p) / (1 - q_j))]} with {@code q_j = (1/m) sum_i a_ij}, the
 * mean activation of unit j over the minibatch, and {@code p} the target sparsity (Ng, CS294A lecture notes, "Sparse
 * autoencoder"; Géron, Hands-On Machine Learning, chapter 17). Before the logarithms each q_j is squeezed to
 * {@code epsilon + (1 - 2 epsilon) q_j}, which keeps the value and the gradient finite at q_j = 0 or 1 and still
 * pushes a dead or saturated unit back towards p. See {@link SparsityPenalty} for L1, MSE and MAE.
 *
 * <p>With {@link PenaltyScaling#PER_MINIBATCH} (the default) the penalty is added once per minibatch to DL4J's
 * score, which is the mean loss per example; with {@link PenaltyScaling#PER_EXAMPLE} it is divided by m first, as
 * tf.keras 2 does for activity regularizers. The penalty is part of {@code score()}, so listeners, early stopping
 * and gradient checks see it. Its gradient with respect to the activations is computed by SameDiff and added to the
 * error signal that reaches the wrapped layer. Inference output is exactly the wrapped layer's output.
 *
 * <p>The wrapped layer's activation must map into [0, 1] for KL, MSE and MAE: sigmoid and hard sigmoid are used as
 * they are, and tanh is accepted with q computed on (a + 1) / 2. L1 accepts any activation.
 *
 * <p>Besides dense layers, the wrapped layer may produce rank-3 activations (recurrent layers such as {@code LSTM},
 * a {@code TimeDistributed} feed-forward layer, {@code Convolution1DLayer}), where q_j is the mean over the minibatch
 * and the time steps, excluding steps with feature mask 0, or rank-4 activations of a 2D convolution, where q_j is
 * the mean of channel j over the minibatch and all spatial positions, in NCHW or NHWC layout. With
 * {@link MeanEstimator#MOVING_AVERAGE}, the penalty uses {@code qhat = d * qhat_prev + (1 - d) * q} across training
 * iterations (see {@link MeanEstimator}); its state is stored as non-trainable parameters
 * (see {@link SparsityParamInitializer}). See docs/shapes.md for configurations of each layer type.
 *
 * <pre>{@code
 * new SparsityLayer.Builder()
 *         .layer(new DenseLayer.Builder().nIn(100).nOut(300).activation(Activation.SIGMOID).build())
 *         .penalty(SparsityPenalty.KL).target(0.1).weight(1.0)
 *         .build();
 * }</pre>
 */
public class SparsityLayer extends BaseWrapperLayer {

    /** Default penalty kind. */
    public static final SparsityPenalty DEFAULT_PENALTY = SparsityPenalty.KL;
    /** Default target sparsity p. */
    public static final double DEFAULT_TARGET = 0.1;
    /** Default penalty weight beta. */
    public static final double DEFAULT_WEIGHT = 1.0;
    /** Default scaling of the penalty with the minibatch size. */
    public static final PenaltyScaling DEFAULT_SCALING = PenaltyScaling.PER_MINIBATCH;
    /** Default epsilon of the squeeze applied to mean activations. */
    public static final double DEFAULT_EPSILON = 1e-7;
    /** Smallest accepted epsilon: below it, 1 - 2 epsilon rounds to 1 in float32 and ln(1 - q) can be infinite. */
    public static final double MIN_EPSILON = 1e-7;
    /** Largest accepted epsilon. */
    public static final double MAX_EPSILON = 1e-2;
    /** Default estimator of the mean activation. */
    public static final MeanEstimator DEFAULT_ESTIMATOR = MeanEstimator.MINIBATCH_MEAN;
    /** Default moving-average decay d, used only with {@link MeanEstimator#MOVING_AVERAGE}. */
    public static final double DEFAULT_DECAY = 0.9;

    private static final long serialVersionUID = 1L;

    private SparsityPenalty penalty = DEFAULT_PENALTY;
    private double target = DEFAULT_TARGET;
    private double weight = DEFAULT_WEIGHT;
    private PenaltyScaling scaling = DEFAULT_SCALING;
    private double epsilon = DEFAULT_EPSILON;
    private MeanEstimator estimator = DEFAULT_ESTIMATOR;
    private double decay = DEFAULT_DECAY;

    /** Creates a configuration with default settings and no wrapped layer; call {@link #setUnderlying} before use. */
    public SparsityLayer() {
    }

    /**
     * Creates a validated configuration; also the constructor Jackson calls when reading JSON, so a configuration
     * read from JSON is checked by the same rules as one built in code.
     *
     * @param underlying the wrapped feed-forward hidden layer
     * @param penalty the kind of penalty; null means {@link #DEFAULT_PENALTY}
     * @param target target sparsity p, in (0, 1)
     * @param weight penalty weight beta, finite and at least 0
     * @param scaling how the penalty scales with the minibatch size; null means {@link #DEFAULT_SCALING}
     * @param epsilon squeeze of mean activations, in [{@link #MIN_EPSILON}, {@link #MAX_EPSILON}]
     */
    public SparsityLayer(Layer underlying, SparsityPenalty penalty, double target, double weight,
                         PenaltyScaling scaling, double epsilon) {
        this(underlying, penalty, target, weight, scaling, epsilon, DEFAULT_ESTIMATOR, DEFAULT_DECAY);
    }

    /**
     * Creates a validated configuration. Jackson calls this constructor when reading JSON, so a configuration read
     * from JSON is checked by the same rules as one built in code. JSON written before the estimator existed has
     * neither field and reads as the minibatch mean.
     *
     * @param underlying the wrapped feed-forward hidden layer
     * @param penalty the kind of penalty; null means {@link #DEFAULT_PENALTY}
     * @param target target sparsity p, in (0, 1)
     * @param weight penalty weight beta, finite and at least 0
     * @param scaling how the penalty scales with the minibatch size; null means {@link #DEFAULT_SCALING}
     * @param epsilon squeeze of mean activations, in [{@link #MIN_EPSILON}, {@link #MAX_EPSILON}]
     * @param estimator estimator of the mean activation; null means {@link #DEFAULT_ESTIMATOR}
     * @param decay moving-average decay d, in [0, 1); null means {@link #DEFAULT_DECAY}
     */
    @JsonCreator
    public SparsityLayer(@JsonProperty("underlying") Layer underlying,
                         @JsonProperty("penalty") SparsityPenalty penalty,
                         @JsonProperty("target") double target,
                         @JsonProperty("weight") double weight,
                         @JsonProperty("scaling") PenaltyScaling scaling,
                         @JsonProperty("epsilon") double epsilon,
                         @JsonProperty("estimator") MeanEstimator estimator,
                         @JsonProperty("decay") Double decay) {
        super(underlying);
        this.penalty = penalty == null ? DEFAULT_PENALTY : penalty;
        this.target = target;
        this.weight = weight;
        this.scaling = scaling == null ? DEFAULT_SCALING : scaling;
        this.epsilon = epsilon;
        this.estimator = estimator == null ? DEFAULT_ESTIMATOR : estimator;
        this.decay = decay == null ? DEFAULT_DECAY : decay;
        SparsityChecks.checkAll(this);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        SparsityChecks.checkAll(this);
        SparsityChecks.checkActivationDefined(this);
        NeuralNetConfiguration innerConf = conf.clone();
        innerConf.setLayer(underlying);
        long wrappedParams = SparsityParamInitializer.numWrappedParams(this);
        org.deeplearning4j.nn.api.Layer inner = underlying.instantiate(innerConf, trainingListeners, layerIndex,
                SparsityParamInitializer.wrappedPart(layerParamsView, wrappedParams), initializeParams,
                networkDataType);
        // The network reads parameter names from the outer configuration, so mirror the inner layer's names there.
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
        Map<String, INDArray> state = Map.of();
        if (SparsityParamInitializer.numStateParams(this) > 0) {
            state = SparsityParamInitializer.stateViews(layerParamsView, wrappedParams, units());
            if (initializeParams) {
                SparsityParamInitializer.resetState(state);
            }
        }
        return new SparsityLayerImpl(inner, this, layerParamsView, state);
    }

    @Override
    public ParamInitializer initializer() {
        return SparsityParamInitializer.getInstance();
    }

    /** Returns NoOp for the moving-average state, which is never trained, and the wrapped layer's updater otherwise. */
    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        if (SparsityParamInitializer.isStateParam(paramName)) {
            return new NoOp();
        }
        return underlying.getUpdaterByParam(paramName);
    }

    /** Returns no regularization for the moving-average state and the wrapped layer's otherwise. */
    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        if (SparsityParamInitializer.isStateParam(paramName)) {
            return List.of();
        }
        return underlying.getRegularizationByParam(paramName);
    }

    /**
     * Returns the number of units n whose mean activation the penalty uses: the wrapped layer's nOut, which is the
     * number of channels for a convolution.
     */
    public long units() {
        Layer layer = SparsityChecks.unwrapTimeDistributed(underlying);
        return layer instanceof FeedForwardLayer feedForward ? feedForward.getNOut() : 0;
    }

    @Override
    public SparsityLayer clone() {
        SparsityLayer copy = (SparsityLayer) super.clone();
        if (underlying != null) {
            copy.underlying = underlying.clone();
        }
        return copy;
    }

    /**
     * Returns the penalty settings in the form the SameDiff graph takes, with the tanh shift switched on when the
     * wrapped layer uses tanh and the penalty compares mean activations with the target.
     */
    public PenaltySpec toPenaltySpec() {
        boolean tanh = penalty.needsUnitInterval()
                && SparsityChecks.unwrapTimeDistributed(underlying) instanceof BaseLayer base
                && base.getActivationFn() instanceof ActivationTanH;
        return new PenaltySpec(penalty, target, weight, epsilon, tanh);
    }

    /** Returns the kind of penalty. */
    @JsonProperty("penalty")
    public SparsityPenalty getPenalty() {
        return penalty;
    }

    /** Sets the kind of penalty, checking that the wrapped layer's activation and the estimator suit it. */
    public void setPenalty(SparsityPenalty penalty) {
        Objects.requireNonNull(penalty, "penalty");
        SparsityChecks.checkEstimator(penalty, estimator);
        this.penalty = penalty;
        SparsityChecks.checkActivation(this);
    }

    /** Returns the estimator of the mean activation. */
    @JsonProperty("estimator")
    public MeanEstimator getEstimator() {
        return estimator;
    }

    /**
     * Sets the estimator of the mean activation. Change it only before the network is initialised, because the
     * moving average adds state parameters to the layer.
     */
    public void setEstimator(MeanEstimator estimator) {
        Objects.requireNonNull(estimator, "estimator");
        SparsityChecks.checkEstimator(penalty, estimator);
        this.estimator = estimator;
    }

    /** Returns the moving-average decay d; used only with {@link MeanEstimator#MOVING_AVERAGE}. */
    @JsonProperty("decay")
    public double getDecay() {
        return decay;
    }

    /** Sets the moving-average decay d, which must lie in [0, 1). */
    public void setDecay(double decay) {
        SparsityChecks.checkDecay(decay);
        this.decay = decay;
    }

    /** Returns the target sparsity p. */
    @JsonProperty("target")
    public double getTarget() {
        return target;
    }

    /** Sets the target sparsity p, which must lie in (0, 1). */
    public void setTarget(double target) {
        SparsityChecks.checkTarget(target);
        this.target = target;
    }

    /** Returns the penalty weight beta. */
    @JsonProperty("weight")
    public double getWeight() {
        return weight;
    }

    /** Sets the penalty weight beta, which must be finite and at least 0. */
    public void setWeight(double weight) {
        SparsityChecks.checkWeight(weight);
        this.weight = weight;
    }

    /** Returns how the penalty scales with the minibatch size. */
    @JsonProperty("scaling")
    public PenaltyScaling getScaling() {
        return scaling;
    }

    /** Sets how the penalty scales with the minibatch size. */
    public void setScaling(PenaltyScaling scaling) {
        this.scaling = Objects.requireNonNull(scaling, "scaling");
    }

    /** Returns the epsilon of the squeeze applied to mean activations. */
    @JsonProperty("epsilon")
    public double getEpsilon() {
        return epsilon;
    }

    /** Sets the epsilon of the squeeze applied to mean activations. */
    public void setEpsilon(double epsilon) {
        SparsityChecks.checkEpsilon(epsilon);
        this.epsilon = epsilon;
    }

    /** Sets the wrapped layer, checking that it is a feed-forward hidden layer whose activation suits the penalty. */
    @Override
    public void setUnderlying(Layer underlying) {
        SparsityChecks.checkWrappedLayer(underlying);
        super.setUnderlying(underlying);
        SparsityChecks.checkActivation(this);
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof SparsityLayer that) || !super.equals(other)) {
            return false;
        }
        return Objects.equals(getLayerName(), that.getLayerName())
                && penalty == that.penalty
                && Double.compare(target, that.target) == 0
                && Double.compare(weight, that.weight) == 0
                && scaling == that.scaling
                && Double.compare(epsilon, that.epsilon) == 0
                && estimator == that.estimator
                && Double.compare(decay, that.decay) == 0;
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof SparsityLayer;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), getLayerName(), penalty, target, weight, scaling, epsilon, estimator,
                decay);
    }

    @Override
    public String toString() {
        return "SparsityLayer(name=" + getLayerName() + ", penalty=" + penalty + ", target=" + target + ", weight="
                + weight + ", scaling=" + scaling + ", epsilon=" + epsilon + ", estimator=" + estimator + ", decay="
                + decay + ", layer=" + underlying + ")";
    }

    /**
     * Builder of {@link SparsityLayer}. Every setting except the wrapped layer has a default: KL, target 0.1,
     * weight 1.0, {@link PenaltyScaling#PER_MINIBATCH}, epsilon 1e-7, {@link MeanEstimator#MINIBATCH_MEAN} (decay 0.9
     * when the moving average is chosen).
     */
    public static class Builder extends Layer.Builder<Builder> {

        private Layer layer;
        private SparsityPenalty penalty = DEFAULT_PENALTY;
        private double target = DEFAULT_TARGET;
        private double weight = DEFAULT_WEIGHT;
        private PenaltyScaling scaling = DEFAULT_SCALING;
        private double epsilon = DEFAULT_EPSILON;
        private MeanEstimator estimator = DEFAULT_ESTIMATOR;
        private double decay = DEFAULT_DECAY;

        /** Sets the wrapped feed-forward hidden layer, for example a sigmoid {@code DenseLayer}. */
        public Builder layer(Layer layer) {
            this.layer = layer;
            return this;
        }

        /** Sets the kind of penalty (default KL). */
        public Builder penalty(SparsityPenalty penalty) {
            this.penalty = Objects.requireNonNull(penalty, "penalty");
            return this;
        }

        /** Sets the target sparsity p in (0, 1) (default 0.1). */
        public Builder target(double target) {
            this.target = target;
            return this;
        }

        /** Sets the penalty weight beta, finite and at least 0 (default 1.0). */
        public Builder weight(double weight) {
            this.weight = weight;
            return this;
        }

        /** Sets how the penalty scales with the minibatch size (default PER_MINIBATCH). */
        public Builder scaling(PenaltyScaling scaling) {
            this.scaling = Objects.requireNonNull(scaling, "scaling");
            return this;
        }

        /** Sets the epsilon of the squeeze applied to mean activations, in [1e-7, 1e-2] (default 1e-7). */
        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /** Sets the estimator of the mean activation (default MINIBATCH_MEAN). */
        public Builder estimator(MeanEstimator estimator) {
            this.estimator = Objects.requireNonNull(estimator, "estimator");
            return this;
        }

        /** Sets the moving-average decay d in [0, 1) (default 0.9), used with MeanEstimator.MOVING_AVERAGE. */
        public Builder decay(double decay) {
            this.decay = decay;
            return this;
        }

        /**
         * Selects {@link MeanEstimator#MOVING_AVERAGE} with decay d in [0, 1).
         *
         * @param decay weight of the previous estimate in {@code qhat = d * qhat_prev + (1 - d) * q}
         */
        public Builder movingAverage(double decay) {
            this.estimator = MeanEstimator.MOVING_AVERAGE;
            this.decay = decay;
            return this;
        }

        /**
         * Builds and validates the configuration.
         *
         * @throws org.deeplearning4j.exception.DL4JInvalidConfigException if a setting is out of range or the
         *         wrapped layer is missing, not a feed-forward hidden layer, or has an activation the penalty cannot
         *         use
         */
        @Override
        @SuppressWarnings("unchecked")
        public SparsityLayer build() {
            if (iDropout != null) {
                throw new org.deeplearning4j.exception.DL4JInvalidConfigException("Invalid dropout on "
                        + "SparsityLayer: set dropout on the wrapped layer instead, which applies it to its input");
            }
            if (allParamConstraints != null || weightConstraints != null || biasConstraints != null) {
                throw new org.deeplearning4j.exception.DL4JInvalidConfigException("Invalid constraints on "
                        + "SparsityLayer: the wrapper has no parameters of its own, so set the constraints on the "
                        + "wrapped layer instead");
            }
            SparsityLayer built = new SparsityLayer(layer, penalty, target, weight, scaling, epsilon, estimator,
                    decay);
            if (layerName != null) {
                built.setLayerName(layerName);
            }
            return built;
        }
    }
}
