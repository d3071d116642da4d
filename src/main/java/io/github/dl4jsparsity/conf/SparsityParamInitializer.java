package io.github.dl4jsparsity.conf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.dl4jsparsity.penalty.MeanEstimator;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.params.WrapperLayerParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameter initializer of {@link SparsityLayer}: the wrapped layer's parameters, followed, with
 * {@link MeanEstimator#MOVING_AVERAGE}, by three state arrays of the moving average for n units.
 *
 * <ul>
 *   <li>{@link #MOVING_MEAN} [1, n]: qhat after the latest training iteration.</li>
 *   <li>{@link #PREVIOUS_MEAN} [1, n]: qhat before that iteration, which repeated forward passes of the same
 *       iteration (gradient checks, {@code computeGradientAndScore}) start from.</li>
 *   <li>{@link #MOVING_MEAN_STATE} [1, 2]: the iteration count of the latest update and the number of iterations
 *       averaged so far (0 means no state yet).</li>
 * </ul>
 * Keeping the state in the parameter view makes DL4J save and restore it with the parameters. The gradient of the
 * state is always 0, and {@link SparsityLayer} gives it a NoOp updater and no regularization, so training never
 * changes it except through the layer itself.
 */
public final class SparsityParamInitializer implements ParamInitializer {

    /** Key of the moving average qhat [1, n] after the latest training iteration. */
    public static final String MOVING_MEAN = "movingMean";
    /** Key of the moving average [1, n] before the latest training iteration. */
    public static final String PREVIOUS_MEAN = "movingMeanPrevious";
    /** Key of the [1, 2] row (iteration count of the latest update, number of iterations averaged). */
    public static final String MOVING_MEAN_STATE = "movingMeanState";

    private static final SparsityParamInitializer INSTANCE = new SparsityParamInitializer();

    private SparsityParamInitializer() {
    }

    /** Returns the shared instance. */
    public static SparsityParamInitializer getInstance() {
        return INSTANCE;
    }

    /** Returns whether {@code key} names one of the moving-average state arrays. */
    public static boolean isStateParam(String key) {
        return MOVING_MEAN.equals(key) || PREVIOUS_MEAN.equals(key) || MOVING_MEAN_STATE.equals(key);
    }

    /** Returns the number of state values of a layer: 2 n + 2 with a moving average, otherwise 0. */
    public static long numStateParams(Layer layer) {
        if (!(layer instanceof SparsityLayer sparsity) || sparsity.getEstimator() != MeanEstimator.MOVING_AVERAGE) {
            return 0;
        }
        return 2 * sparsity.units() + 2;
    }

    /** Returns the number of parameters of the wrapped layer alone. */
    public static long numWrappedParams(Layer layer) {
        return WrapperLayerParamInitializer.getInstance().numParams(layer);
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return numWrappedParams(layer) + numStateParams(layer);
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        List<String> keys = new ArrayList<>(WrapperLayerParamInitializer.getInstance().paramKeys(layer));
        if (numStateParams(layer) > 0) {
            keys.addAll(List.of(MOVING_MEAN, PREVIOUS_MEAN, MOVING_MEAN_STATE));
        }
        return keys;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return WrapperLayerParamInitializer.getInstance().weightKeys(layer);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return WrapperLayerParamInitializer.getInstance().biasKeys(layer);
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return !isStateParam(key) && WrapperLayerParamInitializer.getInstance().isWeightParam(layer, key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return !isStateParam(key) && WrapperLayerParamInitializer.getInstance().isBiasParam(layer, key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        Layer layer = conf.getLayer();
        long wrapped = numWrappedParams(layer);
        Map<String, INDArray> table = new LinkedHashMap<>(WrapperLayerParamInitializer.getInstance().init(conf,
                wrappedPart(paramsView, wrapped), initializeParams));
        if (numStateParams(layer) > 0) {
            Map<String, INDArray> state = stateViews(paramsView, wrapped, ((SparsityLayer) layer).units());
            if (initializeParams) {
                resetState(state);
            }
            table.putAll(state);
        }
        return table;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        Layer layer = conf.getLayer();
        long wrapped = numWrappedParams(layer);
        Map<String, INDArray> table = new LinkedHashMap<>(WrapperLayerParamInitializer.getInstance()
                .getGradientsFromFlattened(conf, wrappedPart(gradientView, wrapped)));
        if (numStateParams(layer) > 0) {
            table.putAll(stateViews(gradientView, wrapped, ((SparsityLayer) layer).units()));
        }
        return table;
    }

    /** Returns the first {@code wrapped} values of a [1, N] view as a [1, wrapped] view. */
    public static INDArray wrappedPart(INDArray view, long wrapped) {
        if (wrapped == view.length()) {
            return view;
        }
        return view.reshape(view.length()).get(NDArrayIndex.interval(0, wrapped)).reshape(1, wrapped);
    }

    /** Returns the three state arrays, as views of the values after the wrapped layer's parameters. */
    public static Map<String, INDArray> stateViews(INDArray view, long wrapped, long units) {
        INDArray flat = view.reshape(view.length());
        Map<String, INDArray> state = new LinkedHashMap<>();
        state.put(MOVING_MEAN, flat.get(NDArrayIndex.interval(wrapped, wrapped + units)).reshape(1, units));
        state.put(PREVIOUS_MEAN, flat.get(NDArrayIndex.interval(wrapped + units, wrapped + 2 * units))
                .reshape(1, units));
        state.put(MOVING_MEAN_STATE, flat.get(NDArrayIndex.interval(wrapped + 2 * units, wrapped + 2 * units + 2))
                .reshape(1, 2));
        return state;
    }

    /** Sets the state to "no moving average yet": zero means, iteration -1 and 0 iterations averaged. */
    public static void resetState(Map<String, INDArray> state) {
        state.get(MOVING_MEAN).assign(0.0);
        state.get(PREVIOUS_MEAN).assign(0.0);
        state.get(MOVING_MEAN_STATE).putScalar(0, -1.0);
        state.get(MOVING_MEAN_STATE).putScalar(1, 0.0);
    }
}
