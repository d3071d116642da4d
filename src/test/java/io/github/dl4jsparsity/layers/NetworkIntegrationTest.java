package io.github.dl4jsparsity.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.github.dl4jsparsity.penalty.PenaltyScaling;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import io.github.dl4jsparsity.testutil.ClosedForm;
import io.github.dl4jsparsity.testutil.Networks;
import io.github.dl4jsparsity.testutil.Networks.Settings;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.adapter.SingletonDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/** The wrapper inside MultiLayerNetwork and ComputationGraph: score, output, listeners, workspaces, restore. */
class NetworkIntegrationTest {

    private static final double EPS = 1e-7;

    @TempDir
    Path tempDir;

    @BeforeAll
    static void useDoublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static MultiLayerNetwork multiLayer(Settings settings) {
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.multiLayer(settings));
        net.init();
        return net;
    }

    private static ComputationGraph graph(Settings settings) {
        ComputationGraph net = new ComputationGraph(Networks.graph(settings));
        net.init();
        return net;
    }

    private static DataSet data(int minibatch, long seed) {
        return new DataSet(Networks.input(minibatch, seed, DataType.DOUBLE),
                Networks.labels(minibatch, seed, DataType.DOUBLE));
    }

    private static double expectedPenalty(INDArray codingActivations, PenaltyScaling scaling) {
        double penalty = ClosedForm.klPenalty(codingActivations.toDoubleMatrix(), 0.1, 1.0, EPS);
        return scaling == PenaltyScaling.PER_EXAMPLE ? penalty / codingActivations.size(0) : penalty;
    }

    @ParameterizedTest
    @EnumSource(PenaltyScaling.class)
    void multiLayerScoreAddsPenalty(PenaltyScaling scaling) {
        MultiLayerNetwork wrapped = multiLayer(Settings.defaults().withScaling(scaling));
        MultiLayerNetwork plain = multiLayer(Settings.defaults().withWrapped(false));
        plain.setParams(wrapped.params());
        DataSet data = data(6, 3);
        INDArray coding = plain.feedForward(data.getFeatures(), false).get(1);

        double expected = plain.score(data) + expectedPenalty(coding, scaling);

        assertEquals(expected, wrapped.score(data), 1e-12);
        assertEquals(expected, wrapped.score(data, true), 1e-12);
        wrapped.setInput(data.getFeatures());
        wrapped.setLabels(data.getLabels());
        wrapped.computeGradientAndScore();
        assertEquals(expected, wrapped.score(), 1e-12);
    }

    @Test
    void graphScoreAddsPenalty() {
        ComputationGraph wrapped = graph(Settings.defaults());
        ComputationGraph plain = graph(Settings.defaults().withWrapped(false));
        plain.setParams(wrapped.params());
        DataSet data = data(6, 3);
        INDArray coding = plain.feedForward(data.getFeatures(), false).get("coding");

        double expected = plain.score(data) + expectedPenalty(coding, PenaltyScaling.PER_MINIBATCH);

        assertEquals(expected, wrapped.score(data), 1e-12);
        wrapped.setInputs(data.getFeatures());
        wrapped.setLabels(data.getLabels());
        wrapped.computeGradientAndScore();
        assertEquals(expected, wrapped.score(), 1e-12);
    }

    static Stream<Arguments> outputCases() {
        return Stream.of(Arguments.of(SparsityPenalty.KL, Activation.SIGMOID),
                Arguments.of(SparsityPenalty.L1, Activation.TANH),
                Arguments.of(SparsityPenalty.L1, Activation.IDENTITY),
                Arguments.of(SparsityPenalty.MSE, Activation.TANH));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("outputCases")
    void outputEqualsWrappedLayerOutput(SparsityPenalty penalty, Activation activation) {
        Settings settings = Settings.defaults().withPenalty(penalty).withActivation(activation);
        MultiLayerNetwork wrapped = multiLayer(settings);
        MultiLayerNetwork plain = multiLayer(settings.withWrapped(false));
        plain.setParams(wrapped.params());
        // Steer the coding layer below zero, so that tanh and identity activations are negative.
        Networks.steerCodingMean(wrapped.getParam("0_W"), wrapped.getParam("0_b"), 0.2);
        Networks.steerCodingMean(plain.getParam("0_W"), plain.getParam("0_b"), 0.2);
        ComputationGraph wrappedGraph = graph(settings);
        wrappedGraph.setParams(wrapped.params());
        INDArray input = Networks.input(9, 5, DataType.DOUBLE);

        INDArray expected = plain.output(input);

        assertEquals(expected, wrapped.output(input));
        assertEquals(expected, wrappedGraph.outputSingle(input));
        assertEquals(plain.feedForward(input, false).get(1), wrapped.feedForward(input, false).get(1));
    }

    @Test
    void listenersAndEarlyStoppingSeePenalty() {
        MultiLayerNetwork wrapped = multiLayer(Settings.defaults().withUpdater(new Adam(0.01)));
        MultiLayerNetwork plain = multiLayer(Settings.defaults().withWrapped(false));
        plain.setParams(wrapped.params());
        DataSet data = data(8, 4);
        INDArray coding = plain.feedForward(data.getFeatures(), true).get(1);
        double expectedBeforeUpdate = plain.score(data, true) + expectedPenalty(coding, PenaltyScaling.PER_MINIBATCH);
        List<Double> seen = new ArrayList<>();
        wrapped.setListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                seen.add(model.score());
            }
        });

        wrapped.fit(data);

        assertEquals(1, seen.size());
        assertEquals(expectedBeforeUpdate, seen.get(0), 1e-12);
        DataSetLossCalculator calculator = new DataSetLossCalculator(new SingletonDataSetIterator(data), true);
        plain.setParams(wrapped.params());
        INDArray codingAfter = plain.feedForward(data.getFeatures(), false).get(1);
        double expectedAfter = plain.score(data) + expectedPenalty(codingAfter, PenaltyScaling.PER_MINIBATCH);
        assertEquals(expectedAfter, calculator.calculateScore(wrapped), 1e-12);
    }

    @Test
    void workspaceModesAgree() {
        DataSet data = data(7, 6);
        MultiLayerNetwork enabled = multiLayer(Settings.defaults().withWorkspaceMode(WorkspaceMode.ENABLED));
        MultiLayerNetwork none = multiLayer(Settings.defaults().withWorkspaceMode(WorkspaceMode.NONE));
        none.setParams(enabled.params());

        for (MultiLayerNetwork net : new MultiLayerNetwork[] {enabled, none}) {
            net.setInput(data.getFeatures());
            net.setLabels(data.getLabels());
            net.computeGradientAndScore();
        }

        assertEquals(enabled.score(), none.score(), 1e-12);
        INDArray enabledGradient = enabled.gradient().gradient();
        INDArray noneGradient = none.gradient().gradient();
        assertArrayEquals(enabledGradient.toDoubleVector(), noneGradient.toDoubleVector(), 1e-12);
        assertEquals(enabled.score(data), none.score(data), 1e-12);
    }

    @Test
    void graphWorkspaceModesAgree() {
        DataSet data = data(7, 6);
        ComputationGraph enabled = graph(Settings.defaults().withWorkspaceMode(WorkspaceMode.ENABLED));
        ComputationGraph none = graph(Settings.defaults().withWorkspaceMode(WorkspaceMode.NONE));
        none.setParams(enabled.params());

        for (ComputationGraph net : new ComputationGraph[] {enabled, none}) {
            net.setInputs(data.getFeatures());
            net.setLabels(data.getLabels());
            net.computeGradientAndScore();
        }

        assertEquals(enabled.score(), none.score(), 1e-12);
        assertArrayEquals(enabled.gradient().gradient().toDoubleVector(),
                none.gradient().gradient().toDoubleVector(), 1e-12);
    }

    @Test
    void batchSizesChangeFreely() {
        MultiLayerNetwork net = multiLayer(Settings.defaults().withUpdater(new Adam(0.01)));
        MultiLayerNetwork plain = multiLayer(Settings.defaults().withWrapped(false));

        for (int minibatch : new int[] {32, 17, 1, 32}) {
            DataSet data = data(minibatch, minibatch);
            net.fit(data);
            assertTrue(Double.isFinite(net.score()), "score after minibatch " + minibatch);
            plain.setParams(net.params());
            INDArray coding = plain.feedForward(data.getFeatures(), false).get(1);
            assertEquals(plain.score(data) + expectedPenalty(coding, PenaltyScaling.PER_MINIBATCH), net.score(data),
                    1e-12, "minibatch " + minibatch);
        }
        INDArray single = net.output(Networks.input(1, 77, DataType.DOUBLE));
        assertArrayEquals(new long[] {1, Networks.OUTPUTS}, single.shape());
    }

    @Test
    void multiLayerSerializerRoundTripAndResume() throws Exception {
        Settings settings = Settings.defaults().withUpdater(new Adam(0.01)).withScaling(PenaltyScaling.PER_EXAMPLE);
        MultiLayerNetwork uninterrupted = multiLayer(settings);
        MultiLayerNetwork interrupted = multiLayer(settings);
        interrupted.setParams(uninterrupted.params());
        List<DataSet> batches = List.of(data(16, 1), data(9, 2), data(16, 3), data(5, 4));
        for (DataSet batch : batches.subList(0, 2)) {
            uninterrupted.fit(batch);
            interrupted.fit(batch);
        }
        File file = tempDir.resolve("mln.zip").toFile();
        ModelSerializer.writeModel(interrupted, file, true);

        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);

        assertEquals(interrupted.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations());
        assertEquals(interrupted.params(), restored.params());
        INDArray probe = Networks.input(4, 50, DataType.DOUBLE);
        assertEquals(interrupted.output(probe), restored.output(probe));
        assertEquals(interrupted.score(batches.get(2)), restored.score(batches.get(2)), 1e-12);
        for (DataSet batch : batches.subList(2, 4)) {
            uninterrupted.fit(batch);
            restored.fit(batch);
        }
        assertArrayEquals(uninterrupted.params().toDoubleVector(), restored.params().toDoubleVector(), 1e-12);
        assertEquals(uninterrupted.score(), restored.score(), 1e-12);
    }

    @Test
    void graphSerializerRoundTripAndResume() throws Exception {
        Settings settings = Settings.defaults().withUpdater(new Adam(0.01));
        ComputationGraph uninterrupted = graph(settings);
        ComputationGraph interrupted = graph(settings);
        interrupted.setParams(uninterrupted.params());
        List<DataSet> batches = List.of(data(16, 1), data(9, 2), data(16, 3));
        uninterrupted.fit(batches.get(0));
        interrupted.fit(batches.get(0));
        File file = tempDir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(interrupted, file, true);

        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

        assertEquals(interrupted.getConfiguration(), restored.getConfiguration());
        assertEquals(interrupted.params(), restored.params());
        INDArray probe = Networks.input(4, 50, DataType.DOUBLE);
        assertEquals(interrupted.outputSingle(probe), restored.outputSingle(probe));
        assertEquals(interrupted.score(batches.get(1)), restored.score(batches.get(1)), 1e-12);
        for (DataSet batch : batches.subList(1, 3)) {
            uninterrupted.fit(batch);
            restored.fit(batch);
        }
        assertArrayEquals(uninterrupted.params().toDoubleVector(), restored.params().toDoubleVector(), 1e-12);
    }

    @Test
    void fitFirstAfterRestore() throws Exception {
        MultiLayerNetwork net = multiLayer(Settings.defaults().withUpdater(new Adam(0.01)));
        File file = tempDir.resolve("fresh.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);

        restored.fit(data(12, 8));

        assertTrue(Double.isFinite(restored.score()));
        assertTrue(((SparsityLayerImpl) restored.getLayer(0)).getScorePenalty() > 0.0);
    }

    @Test
    void secondTrainingPassKeepsFirstMean() {
        MultiLayerNetwork net = multiLayer(Settings.defaults());
        SparsityLayerImpl layer = (SparsityLayerImpl) net.getLayer(0);
        INDArray first = Networks.input(6, 21, DataType.DOUBLE);
        INDArray second = Networks.input(4, 22, DataType.DOUBLE);

        double[][] firstCoding = layer.activate(first, true, LayerWorkspaceMgr.noWorkspaces()).toDoubleMatrix();
        INDArray firstMean = layer.getLastMeanActivation();
        double[][] secondCoding = layer.activate(second, true, LayerWorkspaceMgr.noWorkspaces()).toDoubleMatrix();

        assertArrayEquals(ClosedForm.means(firstCoding), firstMean.toDoubleVector(), 1e-15);
        assertArrayEquals(ClosedForm.means(secondCoding), layer.getLastMeanActivation().toDoubleVector(), 1e-15);
        assertEquals(ClosedForm.klPenalty(secondCoding, 0.1, 1.0, EPS), layer.getScorePenalty(), 1e-12);
        // The stored gradient is k * d(penalty)/da with k = m = 4, the updater's divisor.
        double[][] expected = ClosedForm.klGradient(secondCoding, 0.1, 1.0, EPS);
        double[][] actual = layer.penaltyGradient().toDoubleMatrix();
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                assertEquals(4.0 * expected[i][j], actual[i][j], 1e-10, "row " + i + ", unit " + j);
            }
        }
    }

    @Test
    void nanInputFailsTraining() {
        MultiLayerNetwork net = multiLayer(Settings.defaults());
        DataSet data = data(4, 9);
        data.getFeatures().putScalar(0, 0, Double.NaN);

        IllegalStateException error = assertThrows(IllegalStateException.class, () -> net.fit(data));

        assertEquals("Non-finite sparsity penalty NaN in SparsityLayer 'layer0': training has diverged or the input "
                + "contains NaN or infinite values. Check the input data, and lower the learning rate or the penalty "
                + "weight", error.getMessage());
    }

    @Test
    void zeroWeightLeavesScoreUnchanged() {
        MultiLayerNetwork wrapped = multiLayer(Settings.defaults().withWeight(0.0));
        MultiLayerNetwork plain = multiLayer(Settings.defaults().withWrapped(false));
        plain.setParams(wrapped.params());
        DataSet data = data(5, 10);

        assertEquals(plain.score(data), wrapped.score(data), 1e-15);
        wrapped.fit(data);
        plain.fit(data);
        assertEquals(plain.params(), wrapped.params());
    }

    @Test
    void float32NetworkTrains() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        try {
            MultiLayerNetwork net = multiLayer(Settings.defaults().withDataType(DataType.FLOAT)
                    .withUpdater(new Adam(0.01)));
            DataSet data = new DataSet(Networks.input(10, 1, DataType.FLOAT), Networks.labels(10, 1, DataType.FLOAT));
            net.fit(data);
            assertTrue(Double.isFinite(net.score()));
            assertEquals(DataType.FLOAT, net.params().dataType());
        } finally {
            Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        }
    }
}
