package io.github.dl4jsparsity.design;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Checks the Deeplearning4j 1.0.0-M2.1 behaviour that the design of SparsityLayer depends on. Each test asserts what
 * DL4J does today, so a test that starts failing after an upgrade marks a design decision to revisit. The findings
 * and their consequences are written up in docs/dl4j-facts.md.
 *
 * <p>Every network is a sigmoid hidden layer of 4 units on 3 inputs and an identity MSE output layer of 2 units, in
 * double precision, with a fixed seed and a minibatch of 4 examples.
 */
class Dl4jBehaviourTest {

    private static final int INPUTS = 3;
    private static final int UNITS = 4;
    private static final int OUTPUTS = 2;
    private static final int MINIBATCH = 4;
    private static final long SEED = 42;
    private static final double PENALTY_WEIGHT = 0.5;
    private static final double TOLERANCE = 1e-10;

    @BeforeAll
    static void useDoublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    // SameDiffLayer cannot add a loss term.

    @Test
    void sameDiffLayerLossVariableReplacesUpstream() {
        MultiLayerNetwork dense = denseNetwork();
        MultiLayerNetwork penalised = network(new DenseSameDiffLayer(INPUTS, UNITS, PENALTY_WEIGHT), new NoOp());
        copyParams(dense, penalised);
        computeGradient(dense);
        computeGradient(penalised);
        INDArray activations = hiddenActivations(dense);
        double penalty = PENALTY_WEIGHT * activations.sumNumber().doubleValue();
        INDArray penaltyGradientW = penaltyGradientW(activations);

        // The SameDiff loss variable never reaches DL4J's score: score() is the output layer's loss alone.
        assertEquals(dense.score(), penalised.score(), TOLERANCE);
        assertNotEquals(dense.score() + penalty, penalised.score(), 1e-3);
        // Marking a loss variable makes SameDiff differentiate that variable instead of the external-errors output,
        // so the hidden layer's weight gradient is d(penalty)/dW alone and the errors from the output layer are lost.
        assertEquals(0.0, maxAbsDiff(gradient(penalised, "0_W"), penaltyGradientW), TOLERANCE);
        assertTrue(maxAbs(gradient(dense, "0_W")) > 1e-2, "upstream gradient must be non-zero for the check");
        // The output layer is a plain DL4J layer and is unaffected.
        assertEquals(0.0, maxAbsDiff(gradient(penalised, "1_W"), gradient(dense, "1_W")), TOLERANCE);
    }

    // Stock SameDiffLayer and SameDiffVertex double their parameter gradients.

    @Test
    void sameDiffLayerDoublesGradients() {
        MultiLayerNetwork dense = denseNetwork();
        MultiLayerNetwork sameDiff = network(new DenseSameDiffLayer(INPUTS, UNITS, 0.0), new NoOp());
        copyParams(dense, sameDiff);
        computeGradient(dense);
        computeGradient(sameDiff);

        assertEquals(dense.score(), sameDiff.score(), TOLERANCE);
        // Every element of the SameDiff layer's gradient is exactly twice DenseLayer's.
        assertEquals(0.0, maxAbsDiff(gradient(sameDiff, "0_W"), gradient(dense, "0_W").mul(2.0)), TOLERANCE);
        assertEquals(0.0, maxAbsDiff(gradient(sameDiff, "0_b"), gradient(dense, "0_b").mul(2.0)), TOLERANCE);
        // The DL4J output layer above it still gets the right gradient, because the epsilon sent down is correct.
        assertEquals(0.0, maxAbsDiff(gradient(sameDiff, "1_W"), gradient(dense, "1_W")), TOLERANCE);
        assertEquals(0.0, maxAbsDiff(gradient(sameDiff, "1_b"), gradient(dense, "1_b")), TOLERANCE);
        assertTrue(gradientCheck(dense), "DenseLayer network must pass the gradient check");
        assertFalse(gradientCheck(sameDiff), "SameDiffLayer network fails the gradient check");
    }

    @Test
    void sameDiffVertexDoublesGradients() {
        ComputationGraph dense = graph(false);
        ComputationGraph sameDiff = graph(true);
        Map<String, INDArray> vertexParams = sameDiff.getVertex("hidden").paramTable(false);
        vertexParams.get("W").assign(dense.getParam("hidden_W"));
        vertexParams.get("b").assign(dense.getParam("hidden_b"));
        sameDiff.getParam("out_W").assign(dense.getParam("out_W"));
        sameDiff.getParam("out_b").assign(dense.getParam("out_b"));
        for (ComputationGraph net : List.of(dense, sameDiff)) {
            net.setInputs(features());
            net.setLabels(labels());
            net.computeGradientAndScore();
        }

        assertEquals(dense.score(), sameDiff.score(), TOLERANCE);
        assertEquals(0.0, maxAbsDiff(sameDiff.gradient().getGradientFor("hidden_W"),
                dense.gradient().getGradientFor("hidden_W").mul(2.0)), TOLERANCE);
        assertEquals(0.0, maxAbsDiff(sameDiff.gradient().getGradientFor("hidden_b"),
                dense.gradient().getGradientFor("hidden_b").mul(2.0)), TOLERANCE);
        assertEquals(0.0, maxAbsDiff(sameDiff.gradient().getGradientFor("out_W"),
                dense.gradient().getGradientFor("out_W")), TOLERANCE);
        assertTrue(gradientCheck(dense), "DenseLayer graph must pass the gradient check");
        assertFalse(gradientCheck(sameDiff), "SameDiffVertex graph fails the gradient check");
    }

    // A custom IActivation can change gradients but not the score.

    @Test
    void activationPenaltyMissesScore() {
        MultiLayerNetwork plain = denseNetwork();
        MultiLayerNetwork penalised = network(denseLayer(new PenaltyGradientSigmoid(PENALTY_WEIGHT)), new NoOp());
        copyParams(plain, penalised);
        computeGradient(plain);
        computeGradient(penalised);
        INDArray expectedChange = penaltyGradientW(hiddenActivations(plain)).muli(MINIBATCH);

        // IActivation has no way to report a value, so the score stays the plain network's.
        assertEquals(plain.score(), penalised.score(), TOLERANCE);
        // backprop() does change the gradient, by exactly m * d(w * sum(a))/dW.
        INDArray change = gradient(penalised, "0_W").sub(gradient(plain, "0_W"));
        assertTrue(maxAbs(change) > 1e-2, "gradient must change");
        assertEquals(0.0, maxAbsDiff(change, expectedChange), TOLERANCE);
        // The gradient now belongs to a loss that score() does not compute, so the numeric check disagrees.
        assertFalse(gradientCheck(penalised), "gradient check must fail");
    }

    // The runtime BaseWrapperLayer sends the three-argument activate straight to the wrapped layer.

    @Test
    void wrapperTwoArgActivateBypassed() {
        MultiLayerNetwork net = network(new RecordingWrapperLayer(sigmoidDense()), new NoOp());
        RecordingWrapperImpl wrapper = (RecordingWrapperImpl) net.getLayer(0);

        net.output(features());
        assertEquals(List.of(RecordingWrapperImpl.ACTIVATE_3, RecordingWrapperImpl.CLEAR), wrapper.events());
        wrapper.events().clear();

        computeGradient(net);
        assertFalse(wrapper.events().contains(RecordingWrapperImpl.ACTIVATE_2), "computeGradientAndScore");
        assertTrue(wrapper.events().contains(RecordingWrapperImpl.ACTIVATE_3), "computeGradientAndScore");
        wrapper.events().clear();

        net.fit(new DataSet(features(), labels()));
        assertFalse(wrapper.events().contains(RecordingWrapperImpl.ACTIVATE_2), "fit");
        assertTrue(wrapper.events().contains(RecordingWrapperImpl.ACTIVATE_3), "fit");
    }

    // Order of calls that SparsityLayerImpl relies on.

    @Test
    void scoreRegularizationAfterClear() {
        MultiLayerNetwork net = network(new RecordingWrapperLayer(sigmoidDense()), new NoOp());
        RecordingWrapperImpl wrapper = (RecordingWrapperImpl) net.getLayer(0);

        // score(DataSet) runs outputOfLayerDetached, which clears each hidden layer right after its forward pass.
        // Only then does it call calcRegularizationScore on every layer, and clearLayersStates() clears once more.
        net.score(new DataSet(features(), labels()));
        assertEquals(List.of(RecordingWrapperImpl.ACTIVATE_3, RecordingWrapperImpl.CLEAR,
                RecordingWrapperImpl.REGULARIZATION, RecordingWrapperImpl.CLEAR), wrapper.events());
    }

    @Test
    void gradientRegularizationAfterBackprop() {
        MultiLayerNetwork net = network(new RecordingWrapperLayer(sigmoidDense()), new NoOp());
        RecordingWrapperImpl wrapper = (RecordingWrapperImpl) net.getLayer(0);

        // computeGradientAndScore() calls calcRegularizationScore after the backward pass, with no clear between.
        computeGradient(net);
        assertEquals(List.of(RecordingWrapperImpl.ACTIVATE_3, RecordingWrapperImpl.BACKPROP,
                RecordingWrapperImpl.REGULARIZATION), wrapper.events());
    }

    // Wrapper configurations: getUpdaterByParam and clone().

    @Test
    void wrapperUpdaterByParamThrows() {
        PlainWrapperLayer wrapper = new PlainWrapperLayer(sigmoidDense());

        assertThrows(UnsupportedOperationException.class, () -> wrapper.getUpdaterByParam("W"));
    }

    @Test
    void wrapperUpdaterByParamUnusedByNetwork() {
        // The runtime wrapper's getConfig() returns the wrapped layer's configuration, and the updater calls
        // getUpdaterByParam on that one, so a network trains although the wrapper's own method throws.
        MultiLayerNetwork net = network(new PlainWrapperLayer(sigmoidDense()), new Sgd(0.1));
        INDArray before = net.params().dup();
        net.fit(new DataSet(features(), labels()));

        assertTrue(maxAbsDiff(net.params(), before) > 1e-4, "parameters must change");
        assertSame(net.getLayer(0).conf().getLayer(), net.getLayer(0).getConfig());
    }

    @Test
    void wrapperUpdaterByParamUnusedByGraph() {
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(SEED)
                .dataType(DataType.DOUBLE).updater(new Sgd(0.1)).graphBuilder().addInputs("in")
                .addLayer("hidden", new PlainWrapperLayer(sigmoidDense()), "in")
                .addLayer("out", outputLayer(), "hidden").setOutputs("out").build());
        net.init();
        INDArray before = net.params().dup();
        net.fit(new DataSet(features(), labels()));

        assertTrue(maxAbsDiff(net.params(), before) > 1e-4, "parameters must change");
    }

    @Test
    void wrapperCloneSharesUnderlying() {
        PlainWrapperLayer original = new PlainWrapperLayer(sigmoidDense());
        PlainWrapperLayer copy = (PlainWrapperLayer) original.clone();

        // Layer.clone() starts from Object.clone() and duplicates only INDArray fields, so both wrappers share the
        // same wrapped layer object.
        assertSame(original.getUnderlying(), copy.getUnderlying());
        ((DenseLayer) copy.getUnderlying()).setNOut(7);
        assertEquals(7, ((DenseLayer) original.getUnderlying()).getNOut());
    }

    @Test
    void wrapperCloneOverrideCopies() {
        RecordingWrapperLayer original = new RecordingWrapperLayer(sigmoidDense());
        RecordingWrapperLayer copy = original.clone();

        assertNotSame(original.getUnderlying(), copy.getUnderlying());
        assertEquals(original.getUnderlying(), copy.getUnderlying());
    }

    // The updater divides the summed-loss gradient by the minibatch size, and score() is the mean loss.

    @Test
    void updaterDividesByMinibatch() {
        MultiLayerNetwork net = network(sigmoidDense(), new Sgd(1.0));
        computeGradient(net);
        INDArray reported = net.gradient().gradient().dup();
        double score = net.score();
        INDArray before = net.params().dup();

        INDArray summedGradient = Nd4j.zeros(DataType.DOUBLE, reported.shape());
        double summedScore = 0.0;
        MultiLayerNetwork single = network(sigmoidDense(), new Sgd(1.0));
        single.setParams(before);
        for (int i = 0; i < MINIBATCH; i++) {
            single.setInput(features().getRow(i, true));
            single.setLabels(labels().getRow(i, true));
            single.computeGradientAndScore();
            summedScore += single.score();
            summedGradient.addi(single.gradient().gradient());
        }
        net.fit(new DataSet(features(), labels()));
        INDArray step = net.params().sub(before);

        // gradient() is d(sum of per-example losses)/d(theta), not the gradient of the mean.
        assertEquals(0.0, maxAbsDiff(reported, summedGradient), TOLERANCE);
        // score() is the summed loss divided by m.
        assertEquals(summedScore / MINIBATCH, score, TOLERANCE);
        // One SGD step with learning rate 1 moves the parameters by -gradient() / m.
        assertEquals(0.0, maxAbsDiff(step, reported.div(-MINIBATCH)), TOLERANCE);
    }

    // ND4J SameDiff failures that PenaltyGraph works around.

    @Test
    void sameDiffMeanOverOneExampleFails() {
        SameDiff sd = SameDiff.create();
        SDVariable mean = sd.placeHolder("x", DataType.DOUBLE, -1, 3).mean(0);
        Map<String, INDArray> placeholders = Map.of("x", Nd4j.rand(DataType.DOUBLE, 1, 3));

        // NativeOpExecutioner takes the noOp() shortcut for a vector whose reduction keeps all its elements, and
        // noOp() reads the op's x field, which is null because SameDiff passes the inputs in an OpContext.
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> sd.output(placeholders, mean.name()));
        assertEquals("noOp", e.getStackTrace()[0].getMethodName());
        assertEquals("org.nd4j.linalg.api.ops.BaseReduceOp", e.getStackTrace()[0].getClassName());
    }

    @Test
    void sameDiffSumOverOneExampleFails() {
        SameDiff sd = SameDiff.create();
        SDVariable sum = sd.placeHolder("x", DataType.DOUBLE, -1, 3).sum(0);
        Map<String, INDArray> placeholders = Map.of("x", Nd4j.rand(DataType.DOUBLE, 1, 3));

        NullPointerException e = assertThrows(NullPointerException.class, () -> sd.output(placeholders, sum.name()));
        assertEquals("noOp", e.getStackTrace()[0].getMethodName());
    }

    @Test
    void sameDiffSumOverOneUnitFails() {
        // Same shortcut on a column: [3, 1] summed over dimension 1 keeps all 3 elements.
        SameDiff sd = SameDiff.create();
        SDVariable sum = sd.placeHolder("x", DataType.DOUBLE, -1, 1).sum(1);
        Map<String, INDArray> placeholders = Map.of("x", Nd4j.rand(DataType.DOUBLE, 3, 1));

        NullPointerException e = assertThrows(NullPointerException.class, () -> sd.output(placeholders, sum.name()));
        assertEquals("noOp", e.getStackTrace()[0].getMethodName());
    }

    @Test
    void sameDiffFullSumOfOneElementWorks() {
        // The shortcut needs more than one output element, so a full sum of a [1, 1] array is computed normally.
        SameDiff sd = SameDiff.create();
        SDVariable sum = sd.placeHolder("x", DataType.DOUBLE, -1, 1).sum();
        INDArray x = Nd4j.createFromArray(new double[][] {{0.25}});

        INDArray result = sd.output(Map.of("x", x), sum.name()).get(sum.name());
        assertEquals(0.25, result.getDouble(0), TOLERANCE);
    }

    @Test
    void sameDiffMatmulBackpropOneByOneFails() {
        SameDiff sd = SameDiff.create();
        SDVariable weight = sd.var("w", Nd4j.createFromArray(new double[][] {{0.5}}));
        SDVariable product = sd.placeHolder("x", DataType.DOUBLE, -1, 1).mmul(weight);
        product.markAsLoss();
        Map<String, INDArray> placeholders = Map.of("x", Nd4j.createFromArray(new double[][] {{2.0}}));

        // The forward product works; matmul_bp on [1, 1] x [1, 1] fails inside libnd4j.
        assertEquals(1.0, sd.output(placeholders, product.name()).get(product.name()).getDouble(0), TOLERANCE);
        RuntimeException e = assertThrows(RuntimeException.class, () -> sd.calculateGradients(placeholders, "w"));
        assertTrue(e.getMessage().contains("matmul_bp"), e.getMessage());
        assertTrue(e.getMessage().contains("mulRowVector"), e.getMessage());
    }

    // Helpers.

    private static INDArray features() {
        Nd4j.getRandom().setSeed(SEED);
        return Nd4j.rand(DataType.DOUBLE, MINIBATCH, INPUTS).subi(0.5).muli(2.0);
    }

    private static INDArray labels() {
        Nd4j.getRandom().setSeed(SEED + 1);
        return Nd4j.rand(DataType.DOUBLE, MINIBATCH, OUTPUTS);
    }

    private static OutputLayer outputLayer() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(UNITS).nOut(OUTPUTS)
                .activation(Activation.IDENTITY).build();
    }

    private static DenseLayer denseLayer(IActivation activation) {
        return new DenseLayer.Builder().nIn(INPUTS).nOut(UNITS).activation(activation).build();
    }

    private static DenseLayer sigmoidDense() {
        return denseLayer(Activation.SIGMOID.getActivationFunction());
    }

    private static MultiLayerNetwork network(Layer hidden, IUpdater updater) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(SEED).dataType(DataType.DOUBLE)
                .updater(updater).weightInit(WeightInit.XAVIER).list()
                .layer(hidden).layer(outputLayer()).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static MultiLayerNetwork denseNetwork() {
        return network(sigmoidDense(), new NoOp());
    }

    private static ComputationGraph graph(boolean sameDiff) {
        ComputationGraphConfiguration.GraphBuilder builder = new NeuralNetConfiguration.Builder().seed(SEED)
                .dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in");
        if (sameDiff) {
            builder.addVertex("hidden", new DenseSameDiffVertex(INPUTS, UNITS), "in");
        } else {
            builder.addLayer("hidden", sigmoidDense(), "in");
        }
        builder.addLayer("out", outputLayer(), "hidden").setOutputs("out");
        ComputationGraph net = new ComputationGraph(builder.build());
        net.init();
        return net;
    }

    /** Copies parameters by name, because DenseLayer flattens W in 'f' order and SameDiff layers in 'c' order. */
    private static void copyParams(MultiLayerNetwork from, MultiLayerNetwork to) {
        for (Map.Entry<String, INDArray> entry : from.paramTable().entrySet()) {
            // SameDiffLayer.setParam only checks the shape and never assigns, so write into the parameter view.
            to.getParam(entry.getKey()).assign(entry.getValue());
        }
    }

    private static void computeGradient(MultiLayerNetwork net) {
        net.setInput(features());
        net.setLabels(labels());
        net.computeGradientAndScore();
    }

    private static INDArray gradient(MultiLayerNetwork net, String key) {
        return net.gradient().getGradientFor(key).dup();
    }

    /** Returns sigmoid(x W + b) of the hidden layer of a DenseLayer network. */
    private static INDArray hiddenActivations(MultiLayerNetwork dense) {
        return Transforms.sigmoid(features().mmul(dense.getParam("0_W")).addRowVector(dense.getParam("0_b")));
    }

    /** Returns d(w * sum(a))/dW = x^T (w a (1 - a)) for sigmoid activations a. */
    private static INDArray penaltyGradientW(INDArray activations) {
        INDArray dPenaltyDPreOutput = activations.mul(activations.rsub(1.0)).muli(PENALTY_WEIGHT);
        return features().transpose().mmul(dPenaltyDPreOutput);
    }

    private static boolean gradientCheck(MultiLayerNetwork net) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(features())
                .labels(labels()).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
    }

    private static boolean gradientCheck(ComputationGraph net) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(new INDArray[] {features()}).labels(new INDArray[] {labels()}).epsilon(1e-6)
                .maxRelError(1e-5).minAbsoluteError(1e-9).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
    }

    private static double maxAbs(INDArray array) {
        return Transforms.abs(array).maxNumber().doubleValue();
    }

    private static double maxAbsDiff(INDArray actual, INDArray expected) {
        return maxAbs(actual.sub(expected));
    }
}
