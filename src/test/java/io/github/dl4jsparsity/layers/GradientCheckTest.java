package io.github.dl4jsparsity.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.github.dl4jsparsity.penalty.PenaltyScaling;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import io.github.dl4jsparsity.testutil.Networks;
import io.github.dl4jsparsity.testutil.Networks.Settings;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** DL4J gradient checks in double precision of networks whose coding layer is wrapped in a SparsityLayer. */
class GradientCheckTest {

    @BeforeAll
    static void useDoublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (int minibatch : new int[] {1, 3, 8}) {
            for (boolean bias : new boolean[] {true, false}) {
                for (double q : new double[] {0.05, 0.95}) {
                    cases.add(Arguments.of(minibatch, bias, q, SparsityPenalty.KL, PenaltyScaling.PER_MINIBATCH,
                            Activation.SIGMOID));
                }
            }
        }
        cases.add(Arguments.of(3, true, 0.3, SparsityPenalty.KL, PenaltyScaling.PER_EXAMPLE, Activation.SIGMOID));
        cases.add(Arguments.of(3, true, 0.3, SparsityPenalty.KL, PenaltyScaling.PER_MINIBATCH, Activation.TANH));
        cases.add(Arguments.of(3, true, 0.3, SparsityPenalty.KL, PenaltyScaling.PER_MINIBATCH,
                Activation.HARDSIGMOID));
        cases.add(Arguments.of(3, true, 0.7, SparsityPenalty.L1, PenaltyScaling.PER_MINIBATCH, Activation.RELU));
        cases.add(Arguments.of(3, true, 0.3, SparsityPenalty.L1, PenaltyScaling.PER_EXAMPLE, Activation.SIGMOID));
        // Negative activations: |a| must not replace a in what the layers above receive.
        cases.add(Arguments.of(1, true, 0.3, SparsityPenalty.L1, PenaltyScaling.PER_MINIBATCH, Activation.TANH));
        cases.add(Arguments.of(3, true, 0.3, SparsityPenalty.L1, PenaltyScaling.PER_EXAMPLE, Activation.TANH));
        cases.add(Arguments.of(3, false, 0.3, SparsityPenalty.L1, PenaltyScaling.PER_MINIBATCH, Activation.IDENTITY));
        cases.add(Arguments.of(3, true, 0.3, SparsityPenalty.MSE, PenaltyScaling.PER_MINIBATCH, Activation.SIGMOID));
        cases.add(Arguments.of(3, true, 0.3, SparsityPenalty.MAE, PenaltyScaling.PER_MINIBATCH, Activation.SIGMOID));
        return cases.stream();
    }

    private static Settings settings(boolean bias, SparsityPenalty penalty, PenaltyScaling scaling,
                                     Activation activation) {
        return Settings.defaults().withBias(bias).withPenalty(penalty).withScaling(scaling)
                .withActivation(activation);
    }

    @ParameterizedTest(name = "minibatch {0}, bias {1}, q {2}, {3}, {4}, {5}")
    @MethodSource("cases")
    void multiLayerNetworkGradients(int minibatch, boolean bias, double q, SparsityPenalty penalty,
                                    PenaltyScaling scaling, Activation activation) {
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.multiLayer(settings(bias, penalty, scaling,
                activation)));
        net.init();
        Networks.steerCodingMean(net.getParam("0_W"), bias ? net.getParam("0_b") : null, q);
        INDArray input = Networks.input(minibatch, 1, DataType.DOUBLE);
        INDArray labels = Networks.labels(minibatch, 1, DataType.DOUBLE);
        assertPenaltyIsInScore(net, input, labels);

        boolean passed = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(input)
                .labels(labels).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));

        assertTrue(passed, "gradient check failed");
    }

    @ParameterizedTest(name = "minibatch {0}, bias {1}, q {2}, {3}, {4}, {5}")
    @MethodSource("cases")
    void computationGraphGradients(int minibatch, boolean bias, double q, SparsityPenalty penalty,
                                   PenaltyScaling scaling, Activation activation) {
        ComputationGraph net = new ComputationGraph(Networks.graph(settings(bias, penalty, scaling, activation)));
        net.init();
        Networks.steerCodingMean(net.getParam("coding_W"), bias ? net.getParam("coding_b") : null, q);
        assertGraphGradients(net, minibatch);
    }

    @ParameterizedTest(name = "minibatch {0}, {1}")
    @MethodSource("branchedCases")
    void branchedGraphGradients(int minibatch, SparsityPenalty penalty) {
        // The layer adds its gradient into the epsilon it receives, so check a graph where that epsilon is a sum.
        ComputationGraph net = new ComputationGraph(Networks.branchedGraph(settings(true, penalty,
                PenaltyScaling.PER_MINIBATCH, Activation.SIGMOID)));
        net.init();
        Networks.steerCodingMean(net.getParam("coding_W"), net.getParam("coding_b"), 0.3);
        assertGraphGradients(net, minibatch);
    }

    static Stream<Arguments> branchedCases() {
        return Stream.of(Arguments.of(1, SparsityPenalty.KL), Arguments.of(4, SparsityPenalty.KL),
                Arguments.of(4, SparsityPenalty.L1));
    }

    /** Runs DL4J's double-precision gradient check of a graph on seeded inputs and labels. */
    private static void assertGraphGradients(ComputationGraph net, int minibatch) {
        INDArray input = Networks.input(minibatch, 1, DataType.DOUBLE);
        INDArray labels = Networks.labels(minibatch, 1, DataType.DOUBLE);

        boolean passed = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(new INDArray[] {input}).labels(new INDArray[] {labels}).epsilon(1e-6).maxRelError(1e-5)
                .minAbsoluteError(1e-9));

        assertTrue(passed, "gradient check failed");
    }

    /** Checks that the penalty is non-zero at these parameters, so the gradient check covers it. */
    private static void assertPenaltyIsInScore(MultiLayerNetwork net, INDArray input, INDArray labels) {
        net.score(new DataSet(input, labels), true);
        double penalty = ((SparsityLayerImpl) net.getLayer(0)).getScorePenalty();
        assertTrue(penalty > 1e-6, "penalty " + penalty);
    }
}
