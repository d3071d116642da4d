package io.github.dl4jsparsity.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.Set;

import io.github.dl4jsparsity.conf.SparsityLayer;
import io.github.dl4jsparsity.conf.SparsityParamInitializer;
import io.github.dl4jsparsity.listeners.SparsityListener;
import io.github.dl4jsparsity.testutil.ClosedForm;
import io.github.dl4jsparsity.testutil.Networks;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The moving-average estimator: exactness at decay 0, closed form, state handling and serialization. */
class MovingAverageTest {

    private static final double EPS = 1e-7;

    @TempDir
    Path tempDir;

    @BeforeAll
    static void useDoublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static MultiLayerNetwork network(SparsityLayer.Builder coding, IUpdater updater) {
        DenseLayer dense = new DenseLayer.Builder().nIn(Networks.INPUTS).nOut(Networks.UNITS)
                .activation(Activation.SIGMOID).build();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(12345).dataType(DataType.DOUBLE)
                .updater(updater).weightInit(WeightInit.XAVIER).list()
                .layer(coding.layer(dense).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(Networks.UNITS)
                        .nOut(Networks.OUTPUTS).activation(Activation.SIGMOID).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static MultiLayerNetwork averaged(double decay, IUpdater updater) {
        return network(new SparsityLayer.Builder().movingAverage(decay), updater);
    }

    private static void copyWrappedParams(MultiLayerNetwork from, MultiLayerNetwork to) {
        for (String key : new String[] {"0_W", "0_b", "1_W", "1_b"}) {
            to.setParam(key, from.getParam(key));
        }
    }

    private static DataSet data(int minibatch, long seed) {
        return new DataSet(Networks.input(minibatch, seed, DataType.DOUBLE),
                Networks.labels(minibatch, seed, DataType.DOUBLE));
    }

    private static SparsityLayerImpl coding(MultiLayerNetwork net) {
        return (SparsityLayerImpl) net.getLayer(0);
    }

    private static double[] batchMeans(MultiLayerNetwork net, DataSet data) {
        return net.feedForward(data.getFeatures(), false).get(1).mean(0).toDoubleVector();
    }

    @Test
    void zeroDecayEqualsMinibatchMean() {
        MultiLayerNetwork plain = network(new SparsityLayer.Builder(), new Sgd(0.5));
        MultiLayerNetwork averaged = averaged(0.0, new Sgd(0.5));
        copyWrappedParams(plain, averaged);

        for (int step = 0; step < 4; step++) {
            DataSet batch = data(6 + step, step);
            plain.fit(batch);
            averaged.fit(batch);

            assertEquals(coding(plain).getScorePenalty(), coding(averaged).getScorePenalty(), 0.0, "step " + step);
            assertArrayEquals(coding(plain).getLastMeanActivation().toDoubleVector(),
                    coding(averaged).getLastMeanActivation().toDoubleVector(), 0.0, "step " + step);
            assertArrayEquals(coding(plain).getLastMeanActivation().toDoubleVector(),
                    coding(averaged).getMovingAverage().toDoubleVector(), 0.0, "step " + step);
            assertEquals(plain.score(), averaged.score(), 0.0, "step " + step);
        }
        for (String key : new String[] {"0_W", "0_b", "1_W", "1_b"}) {
            assertEquals(plain.getParam(key), averaged.getParam(key), key);
        }
    }

    @Test
    void decayMatchesClosedFormAfterConstantBatches() {
        double decay = 0.8;
        // Sgd with learning rate 0 keeps the parameters, and so each batch's mean, fixed; NoOp would apply the
        // raw gradient.
        MultiLayerNetwork net = averaged(decay, new Sgd(0.0));
        DataSet first = data(5, 1);
        DataSet constant = data(7, 2);
        double[] firstMeans = batchMeans(net, first);
        double[] constantMeans = batchMeans(net, constant);
        int k = 3;

        net.fit(first);
        assertArrayEquals(firstMeans, coding(net).getMovingAverage().toDoubleVector(), 1e-12);
        for (int i = 0; i < k; i++) {
            net.fit(constant);
        }

        // The first minibatch initialises qhat, so qhat_k = d^k q_first + (1 - d^k) q_constant.
        double dk = Math.pow(decay, k);
        double[] expected = new double[firstMeans.length];
        double penalty = 0.0;
        for (int j = 0; j < expected.length; j++) {
            expected[j] = dk * firstMeans[j] + (1 - dk) * constantMeans[j];
            penalty += ClosedForm.kl(0.1, EPS + (1 - 2 * EPS) * expected[j]);
        }
        assertArrayEquals(expected, coding(net).getMovingAverage().toDoubleVector(), 1e-12);
        assertEquals(k + 1, coding(net).averagedIterations());
        assertEquals(penalty, coding(net).getScorePenalty(), 1e-12);
    }

    @Test
    void repeatedPassesInOneIterationAgree() {
        MultiLayerNetwork net = averaged(0.9, new NoOp());
        net.fit(data(5, 1));
        DataSet batch = data(6, 2);
        net.setInput(batch.getFeatures());
        net.setLabels(batch.getLabels());

        net.computeGradientAndScore();
        double firstScore = net.score();
        INDArray firstGradient = net.gradient().gradient().dup();
        net.computeGradientAndScore();

        assertEquals(firstScore, net.score(), 0.0);
        assertEquals(firstGradient, net.gradient().gradient());
        assertEquals(2, coding(net).averagedIterations());
    }

    @Test
    void gradientFlowsThroughCurrentBatchTerm() {
        MultiLayerNetwork net = averaged(0.6, new NoOp());
        net.fit(data(5, 1));
        net.fit(data(4, 2));
        DataSet batch = data(3, 3);
        String[] state = {SparsityParamInitializer.MOVING_MEAN, SparsityParamInitializer.PREVIOUS_MEAN,
                SparsityParamInitializer.MOVING_MEAN_STATE};

        boolean passed = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net)
                .input(batch.getFeatures()).labels(batch.getLabels()).epsilon(1e-6).maxRelError(1e-5)
                .minAbsoluteError(1e-9).excludeParams(Set.of("0_" + state[0], "0_" + state[1], "0_" + state[2])));

        assertTrue(passed, "gradient check failed");
        for (String key : state) {
            INDArray gradient = net.gradient().getGradientFor("0_" + key);
            assertTrue(gradient == null || gradient.sumNumber().doubleValue() == 0.0, key);
        }
    }

    @Test
    void stateSurvivesSerializerAndResume() throws Exception {
        MultiLayerNetwork original = averaged(0.9, new Adam(0.01));
        original.fit(data(8, 1));
        original.fit(data(8, 2));
        File file = tempDir.resolve("moving.zip").toFile();
        ModelSerializer.writeModel(original, file, true);

        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);

        assertEquals(original.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations());
        assertEquals(2, coding(restored).averagedIterations());
        assertArrayEquals(coding(original).getMovingAverage().toDoubleVector(),
                coding(restored).getMovingAverage().toDoubleVector(), 0.0);
        DataSet next = data(8, 3);
        original.fit(next);
        restored.fit(next);
        assertArrayEquals(coding(original).getMovingAverage().toDoubleVector(),
                coding(restored).getMovingAverage().toDoubleVector(), 1e-12);
        assertArrayEquals(original.params().toDoubleVector(), restored.params().toDoubleVector(), 1e-12);
    }

    @Test
    void stateIsNotTrained() {
        MultiLayerNetwork net = averaged(0.5, new Adam(0.1));
        net.fit(data(8, 1));
        INDArray stored = coding(net).getMovingAverage();

        assertArrayEquals(stored.toDoubleVector(),
                net.getParam("0_" + SparsityParamInitializer.MOVING_MEAN).toDoubleVector(), 0.0);
        assertEquals(new NoOp(), coding(net).getSparsityConfig()
                .getUpdaterByParam(SparsityParamInitializer.MOVING_MEAN));
        assertEquals(net.numParams(), net.params().length());
    }

    @Test
    void resetStartsAgainFromNextBatch() {
        MultiLayerNetwork net = averaged(0.9, new Sgd(0.0));
        net.fit(data(5, 1));
        net.fit(data(5, 2));

        SparsityListener.resetMovingAverages(net);

        assertEquals(0, coding(net).averagedIterations());
        assertNull(coding(net).getMovingAverage());
        DataSet next = data(6, 3);
        net.fit(next);
        assertArrayEquals(batchMeans(net, next), coding(net).getMovingAverage().toDoubleVector(), 1e-12);
    }
}
