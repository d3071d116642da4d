package io.github.dl4jsparsity.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

import io.github.dl4jsparsity.penalty.MeanEstimator;
import io.github.dl4jsparsity.penalty.PenaltyScaling;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import io.github.dl4jsparsity.testutil.Networks;
import io.github.dl4jsparsity.testutil.Networks.Settings;
import org.deeplearning4j.exception.DL4JInvalidConfigException;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLambdaLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.constraint.MaxNormConstraint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class SparsityLayerConfigTest {

    private static DenseLayer dense(Activation activation) {
        return new DenseLayer.Builder().nIn(4).nOut(5).activation(activation).build();
    }

    private static SparsityLayer.Builder builder() {
        return new SparsityLayer.Builder().layer(dense(Activation.SIGMOID));
    }

    private static String messageOf(Runnable action) {
        return assertThrows(DL4JInvalidConfigException.class, action::run).getMessage();
    }

    @Test
    void builderDefaults() {
        SparsityLayer layer = builder().build();

        assertEquals(SparsityPenalty.KL, layer.getPenalty());
        assertEquals(0.1, layer.getTarget());
        assertEquals(1.0, layer.getWeight());
        assertEquals(PenaltyScaling.PER_MINIBATCH, layer.getScaling());
        assertEquals(1e-7, layer.getEpsilon());
    }

    @Test
    void targetOutsideUnitIntervalRejected() {
        assertEquals("Invalid target = 1.5: the target sparsity p must lie in (0, 1), for example 0.05 or 0.1",
                messageOf(() -> builder().target(1.5).build()));
        assertEquals("Invalid target = 0.0: the target sparsity p must lie in (0, 1), for example 0.05 or 0.1",
                messageOf(() -> builder().target(0.0).build()));
        assertEquals("Invalid target = 1.0: the target sparsity p must lie in (0, 1), for example 0.05 or 0.1",
                messageOf(() -> builder().target(1.0).build()));
        assertEquals("Invalid target = NaN: the target sparsity p must lie in (0, 1), for example 0.05 or 0.1",
                messageOf(() -> builder().target(Double.NaN).build()));
    }

    @Test
    void nonFiniteWeightRejected() {
        assertEquals("Invalid weight = NaN: the penalty weight beta must be a finite number >= 0",
                messageOf(() -> builder().weight(Double.NaN).build()));
        assertEquals("Invalid weight = Infinity: the penalty weight beta must be a finite number >= 0",
                messageOf(() -> builder().weight(Double.POSITIVE_INFINITY).build()));
    }

    @Test
    void negativeWeightRejected() {
        assertEquals("Invalid weight = -0.5: the penalty weight beta must be >= 0 (0 switches the penalty off)",
                messageOf(() -> builder().weight(-0.5).build()));
    }

    @Test
    void epsilonOutsideRangeRejected() {
        String expected = "Invalid epsilon = %s: it must lie in [1.0E-7, 0.01]; it squeezes each mean activation "
                + "into [epsilon, 1 - epsilon] so the penalty stays finite";
        assertEquals(String.format(expected, "0.0"), messageOf(() -> builder().epsilon(0.0).build()));
        assertEquals(String.format(expected, "0.5"), messageOf(() -> builder().epsilon(0.5).build()));
        assertEquals(String.format(expected, "1.0E-9"), messageOf(() -> builder().epsilon(1e-9).build()));
        assertEquals(1e-7, builder().epsilon(1e-7).build().getEpsilon());
        assertEquals(0.01, builder().epsilon(0.01).build().getEpsilon());
    }

    @Test
    void missingLayerRejected() {
        assertEquals("Missing wrapped layer: pass a feed-forward hidden layer such as DenseLayer to "
                + "SparsityLayer.Builder.layer(...)", messageOf(() -> new SparsityLayer.Builder().build()));
    }

    @Test
    void nonFeedForwardLayersRejected() {
        String expected = "Invalid wrapped layer %s: SparsityLayer wraps a feed-forward hidden layer (a "
                + "FeedForwardLayer that is not an output or loss layer), such as DenseLayer, or TimeDistributed "
                + "around one";
        Layer output = new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(4).nOut(4)
                .activation(Activation.SIGMOID).build();
        Layer activationLayer = new ActivationLayer.Builder().activation(Activation.SIGMOID).build();
        Layer frozen = new FrozenLayerWithBackprop(dense(Activation.SIGMOID));

        assertEquals(String.format(expected, "OutputLayer"),
                messageOf(() -> new SparsityLayer.Builder().layer(output).build()));
        assertEquals(String.format(expected, "ActivationLayer"),
                messageOf(() -> new SparsityLayer.Builder().layer(activationLayer).build()));
        assertEquals(String.format(expected, "FrozenLayerWithBackprop"),
                messageOf(() -> new SparsityLayer.Builder().layer(frozen).build()));
        assertEquals(String.format(expected, "SparsityLayer"),
                messageOf(() -> new SparsityLayer.Builder().layer(builder().build()).build()));
    }

    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"RELU", "IDENTITY", "SOFTPLUS", "LEAKYRELU", "ELU", "SELU",
            "SOFTMAX", "RELU6", "SWISH"})
    void klRejectsActivationsOutsideUnitInterval(Activation activation) {
        String name = activation.getActivationFunction().toString();
        String expected = "Invalid activation " + name + " for the KL penalty: it compares each unit's mean "
                + "activation with the target as a probability, so activations must lie in (0, 1), and " + name
                + " is not confined to (0, 1). Use Activation.SIGMOID or Activation.HARDSIGMOID (Activation.TANH is "
                + "accepted and mapped to (a + 1) / 2), or SparsityPenalty.L1, which accepts any activation";

        assertEquals(expected, messageOf(() -> new SparsityLayer.Builder().layer(dense(activation)).build()));
    }

    @ParameterizedTest
    @EnumSource(value = SparsityPenalty.class, names = {"MSE", "MAE"})
    void distancePenaltiesRejectRelu(SparsityPenalty penalty) {
        String message = messageOf(() -> new SparsityLayer.Builder().layer(dense(Activation.RELU)).penalty(penalty)
                .build());
        assertTrue(message.startsWith("Invalid activation relu for the " + penalty + " penalty"), message);
    }

    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"SIGMOID", "HARDSIGMOID", "TANH"})
    void klAcceptsBoundedActivations(Activation activation) {
        SparsityLayer layer = new SparsityLayer.Builder().layer(dense(activation)).build();
        assertEquals(activation == Activation.TANH, layer.toPenaltySpec().shiftFromTanh());
    }

    @Test
    void l1AcceptsRelu() {
        SparsityLayer layer = new SparsityLayer.Builder().layer(dense(Activation.RELU)).penalty(SparsityPenalty.L1)
                .build();
        assertEquals(SparsityPenalty.L1, layer.getPenalty());
        assertFalse(layer.toPenaltySpec().shiftFromTanh());
    }

    @Test
    void networkDefaultActivationCheckedAtInit() {
        DenseLayer noActivation = new DenseLayer.Builder().nIn(4).nOut(5).build();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().activation(Activation.RELU).list()
                .layer(new SparsityLayer.Builder().layer(noActivation).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(5).nOut(3)
                        .activation(Activation.SIGMOID).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);

        String message = assertThrows(DL4JInvalidConfigException.class, net::init).getMessage();

        assertTrue(message.startsWith("Invalid activation relu for the KL penalty"), message);
    }

    @Test
    void dropoutOnWrapperRejected() {
        assertEquals("Invalid dropout on SparsityLayer: set dropout on the wrapped layer instead, which applies it "
                + "to its input", messageOf(() -> builder().dropOut(0.5).build()));
    }

    @Test
    void constraintsOnWrapperRejected() {
        String expected = "Invalid constraints on SparsityLayer: the wrapper has no parameters of its own, so set the "
                + "constraints on the wrapped layer instead";

        assertEquals(expected, messageOf(() -> builder().constrainWeights(new MaxNormConstraint(1.0, 1)).build()));
        assertEquals(expected, messageOf(() -> builder().constrainBias(new MaxNormConstraint(1.0, 1)).build()));
        assertEquals(expected,
                messageOf(() -> builder().constrainAllParameters(new MaxNormConstraint(1.0, 1)).build()));
    }

    @Test
    void builderRejectsNullChoices() {
        assertEquals("penalty", assertThrows(NullPointerException.class, () -> builder().penalty(null)).getMessage());
        assertEquals("scaling", assertThrows(NullPointerException.class, () -> builder().scaling(null)).getMessage());
        assertEquals("estimator",
                assertThrows(NullPointerException.class, () -> builder().estimator(null)).getMessage());
    }

    @Test
    void settersValidate() {
        SparsityLayer layer = builder().build();

        assertThrows(DL4JInvalidConfigException.class, () -> layer.setTarget(2.0));
        assertThrows(DL4JInvalidConfigException.class, () -> layer.setWeight(-1.0));
        assertThrows(DL4JInvalidConfigException.class, () -> layer.setEpsilon(1.0));
        assertThrows(DL4JInvalidConfigException.class, () -> layer.setUnderlying(dense(Activation.RELU)));
        assertEquals(0.1, layer.getTarget());
    }

    @Test
    void equalsComparesEverySetting() {
        SparsityLayer reference = builder().name("coding").build();

        assertEquals(reference, builder().name("coding").build());
        assertEquals(reference.hashCode(), builder().name("coding").build().hashCode());
        assertNotEquals(reference, builder().name("other").build());
        assertNotEquals(reference, builder().name("coding").target(0.05).build());
        assertNotEquals(reference, builder().name("coding").weight(2.0).build());
        assertNotEquals(reference, builder().name("coding").epsilon(1e-5).build());
        assertNotEquals(reference, builder().name("coding").scaling(PenaltyScaling.PER_EXAMPLE).build());
        assertNotEquals(reference, builder().name("coding").penalty(SparsityPenalty.MSE).build());
        assertNotEquals(reference, new SparsityLayer.Builder().layer(dense(Activation.TANH)).name("coding").build());
    }

    @Test
    void nameReachesWrappedLayer() {
        SparsityLayer layer = builder().name("coding").build();
        assertEquals("coding", layer.getUnderlying().getLayerName());
    }

    @Test
    void cloneCopiesWrappedLayer() {
        SparsityLayer original = builder().target(0.05).build();

        SparsityLayer copy = original.clone();

        assertEquals(original, copy);
        assertNotSame(original.getUnderlying(), copy.getUnderlying());
        ((DenseLayer) copy.getUnderlying()).setNOut(7);
        assertEquals(5, ((DenseLayer) original.getUnderlying()).getNOut());
    }

    @Test
    void updaterDelegatesToWrappedLayer() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().updater(new Adam(0.01)).list()
                .layer(builder().build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(5).nOut(3)
                        .activation(Activation.SIGMOID).build())
                .build();
        SparsityLayer wrapper = (SparsityLayer) conf.getConf(0).getLayer();

        assertEquals(new Adam(0.01), wrapper.getUpdaterByParam("W"));
        assertEquals(new Adam(0.01), wrapper.getUpdaterByParam("b"));
    }

    private static Settings nonDefaults() {
        return Settings.defaults().withScaling(PenaltyScaling.PER_EXAMPLE).withWeight(0.37)
                .withPenalty(SparsityPenalty.KL);
    }

    @Test
    void multiLayerJsonRoundTrip() {
        MultiLayerConfiguration conf = Networks.multiLayer(nonDefaults());
        ((SparsityLayer) conf.getConf(0).getLayer()).setTarget(0.05);
        ((SparsityLayer) conf.getConf(0).getLayer()).setEpsilon(1e-5);

        MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(conf.toJson());

        assertEquals(conf, restored);
        SparsityLayer layer = (SparsityLayer) restored.getConf(0).getLayer();
        assertEquals(0.05, layer.getTarget());
        assertEquals(0.37, layer.getWeight());
        assertEquals(1e-5, layer.getEpsilon());
        assertEquals(PenaltyScaling.PER_EXAMPLE, layer.getScaling());
        assertEquals(conf.toJson(), restored.toJson());
    }

    @Test
    void graphJsonRoundTrip() {
        ComputationGraphConfiguration conf = Networks.graph(nonDefaults().withPenalty(SparsityPenalty.MAE));

        ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(conf.toJson());

        assertEquals(conf, restored);
        ComputationGraph net = new ComputationGraph(restored);
        net.init();
        SparsityLayer layer = (SparsityLayer) restored.getVertices().entrySet().stream()
                .filter(e -> e.getKey().equals("coding")).findFirst().map(e ->
                        ((org.deeplearning4j.nn.conf.graph.LayerVertex) e.getValue()).getLayerConf().getLayer())
                .orElseThrow();
        assertEquals(SparsityPenalty.MAE, layer.getPenalty());
        assertEquals(0.37, layer.getWeight());
        assertEquals(PenaltyScaling.PER_EXAMPLE, layer.getScaling());
    }

    @Test
    void invalidJsonRejectedWithMessage() {
        String json = Networks.multiLayer(Settings.defaults()).toJson();
        assertTrue(json.contains("\"target\" : 0.1"), json);
        String broken = json.replace("\"target\" : 0.1", "\"target\" : 1.7");

        RuntimeException error = assertThrows(RuntimeException.class, () -> MultiLayerConfiguration.fromJson(broken));

        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        assertInstanceOf(DL4JInvalidConfigException.class, root);
        assertEquals("Invalid target = 1.7: the target sparsity p must lie in (0, 1), for example 0.05 or 0.1",
                root.getMessage());
    }

    @Test
    void javaSerializationRoundTrip() throws Exception {
        SparsityLayer original = builder().name("coding").target(0.05).weight(3.0)
                .scaling(PenaltyScaling.PER_EXAMPLE).penalty(SparsityPenalty.MSE).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(original);
        }

        Object restored;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            restored = in.readObject();
        }

        assertEquals(original, restored);
    }

    @Test
    void lstmAcceptedAtConfigurationTime() {
        SparsityLayer layer = new SparsityLayer.Builder().layer(new LSTM.Builder().nIn(3).nOut(4)
                .activation(Activation.SIGMOID).build()).build();
        assertInstanceOf(LSTM.class, layer.getUnderlying());
    }

    @Test
    void decayOutsideRangeRejected() {
        String expected = "Invalid decay = %s: the moving-average decay d must lie in [0, 1), for example 0.9 or "
                + "0.99; 0 uses the minibatch mean alone";
        assertEquals(String.format(expected, "1.0"), messageOf(() -> builder().movingAverage(1.0).build()));
        assertEquals(String.format(expected, "-0.1"), messageOf(() -> builder().movingAverage(-0.1).build()));
        assertEquals(String.format(expected, "NaN"), messageOf(() -> builder().decay(Double.NaN).build()));
        assertEquals(String.format(expected, "1.5"), messageOf(() -> builder().build().setDecay(1.5)));
        assertEquals(0.0, builder().movingAverage(0.0).build().getDecay());
    }

    @Test
    void movingAverageRejectedForL1() {
        assertEquals("Invalid estimator MOVING_AVERAGE for the L1 penalty: L1 sums absolute activations and has no "
                + "mean activation to average; use MeanEstimator.MINIBATCH_MEAN or the KL, MSE or MAE penalty",
                messageOf(() -> builder().penalty(SparsityPenalty.L1).movingAverage(0.9).build()));
    }

    @Test
    void estimatorDefaultsAndEquality() {
        SparsityLayer reference = builder().movingAverage(0.95).build();

        assertEquals(MeanEstimator.MINIBATCH_MEAN, builder().build().getEstimator());
        assertEquals(0.9, builder().build().getDecay());
        assertEquals(MeanEstimator.MOVING_AVERAGE, reference.getEstimator());
        assertEquals(reference, builder().movingAverage(0.95).build());
        assertEquals(reference.hashCode(), builder().movingAverage(0.95).build().hashCode());
        assertNotEquals(reference, builder().movingAverage(0.9).build());
        assertNotEquals(reference, builder().decay(0.95).build());
    }

    @Test
    void movingAverageJsonRoundTrip() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(builder().movingAverage(0.75).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(5).nOut(3)
                        .activation(Activation.SIGMOID).build())
                .build();

        MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(conf.toJson());

        assertEquals(conf, restored);
        SparsityLayer layer = (SparsityLayer) restored.getConf(0).getLayer();
        assertEquals(MeanEstimator.MOVING_AVERAGE, layer.getEstimator());
        assertEquals(0.75, layer.getDecay());
    }

    @Test
    void jsonWithoutEstimatorReadsAsMinibatchMean() {
        String json = Networks.multiLayer(Settings.defaults()).toJson();
        String old = json.replaceAll(",\\s*\"estimator\" : \"MINIBATCH_MEAN\"", "")
                .replaceAll(",\\s*\"decay\" : 0.9", "");
        assertFalse(old.contains("estimator"), old);
        assertFalse(old.contains("\"decay\""), old);

        SparsityLayer layer = (SparsityLayer) MultiLayerConfiguration.fromJson(old).getConf(0).getLayer();

        assertEquals(MeanEstimator.MINIBATCH_MEAN, layer.getEstimator());
    }

    @Test
    void timeDistributedDenseAccepted() {
        SparsityLayer layer = new SparsityLayer.Builder().layer(new TimeDistributed(dense(Activation.TANH),
                RNNFormat.NWC)).build();

        assertInstanceOf(TimeDistributed.class, layer.getUnderlying());
        assertTrue(layer.toPenaltySpec().shiftFromTanh());
        assertEquals(5, layer.units());
    }

    @Test
    void timeDistributedChecksInnerLayer() {
        assertEquals("Invalid wrapped layer TimeDistributed(ActivationLayer): SparsityLayer accepts TimeDistributed "
                + "only around a feed-forward hidden layer (a FeedForwardLayer that is not an output or loss layer), "
                + "such as DenseLayer", messageOf(() -> new SparsityLayer.Builder().layer(new TimeDistributed(
                        new ActivationLayer.Builder().activation(Activation.SIGMOID).build())).build()));
        String message = messageOf(() -> new SparsityLayer.Builder().layer(new TimeDistributed(
                dense(Activation.RELU))).build());
        assertTrue(message.startsWith("Invalid activation relu for the KL penalty"), message);
    }

    @Test
    void sameDiffLambdaLayerRejected() {
        Layer lambda = new SameDiffLambdaLayer() {
            @Override
            public org.nd4j.autodiff.samediff.SDVariable defineLayer(org.nd4j.autodiff.samediff.SameDiff sd,
                    org.nd4j.autodiff.samediff.SDVariable input) {
                return input;
            }
        };
        String message = messageOf(() -> new SparsityLayer.Builder().layer(lambda).build());
        assertTrue(message.startsWith("Invalid wrapped layer"), message);
    }
}
