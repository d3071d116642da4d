package io.github.dl4jsparsity.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jsparsity.testutil.ShapeNetworks;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** DL4J gradient checks in double precision of wrapped coding layers with rank-3 and rank-4 activations. */
class ShapesGradientCheckTest {

    private static final int MINIBATCH = 3;
    private static final int STEPS = 4;

    @BeforeAll
    static void useDoublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static INDArray sequence(RNNFormat format, int features, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray ncw = Nd4j.rand(DataType.DOUBLE, MINIBATCH, features, STEPS).subi(0.5).muli(2.0);
        return format == RNNFormat.NCW ? ncw : ncw.permute(0, 2, 1).dup('c');
    }

    /** Returns a mask that drops the last step of example 1 and the last two steps of example 2. */
    private static INDArray mask() {
        return Nd4j.createFromArray(new double[][] {{1, 1, 1, 1}, {1, 1, 1, 0}, {1, 1, 0, 0}});
    }

    private static boolean check(MultiLayerNetwork net, INDArray input, INDArray labels, INDArray mask) {
        assertPenaltyIsInScore(net, new DataSet(input, labels, mask, mask));
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(input)
                .labels(labels).inputMask(mask).labelMask(mask).epsilon(1e-6).maxRelError(1e-5)
                .minAbsoluteError(1e-9));
    }

    private static void assertPenaltyIsInScore(MultiLayerNetwork net, DataSet data) {
        net.score(data, true);
        double penalty = ((SparsityLayerImpl) net.getLayer(0)).getScorePenalty();
        assertTrue(penalty > 1e-6, "penalty " + penalty);
    }

    @Test
    void lstmGradients() {
        RNNFormat format = RNNFormat.NCW;
        MultiLayerNetwork net = ShapeNetworks.recurrent(ShapeNetworks.lstm(format), format);
        INDArray input = sequence(format, ShapeNetworks.INPUTS, 1);
        INDArray labels = sequence(format, ShapeNetworks.OUTPUTS, 2);

        assertTrue(check(net, input, labels, null), "gradient check failed");
    }

    @ParameterizedTest
    @EnumSource(RNNFormat.class)
    void maskedLstmGradients(RNNFormat format) {
        MultiLayerNetwork net = ShapeNetworks.recurrent(ShapeNetworks.lstm(format), format);
        INDArray input = sequence(format, ShapeNetworks.INPUTS, 3);
        INDArray labels = sequence(format, ShapeNetworks.OUTPUTS, 4);

        assertTrue(check(net, input, labels, mask()), "gradient check failed");
    }

    @ParameterizedTest
    @EnumSource(RNNFormat.class)
    void timeDistributedDenseGradients(RNNFormat format) {
        MultiLayerNetwork net = ShapeNetworks.recurrent(ShapeNetworks.timeDistributed(format, ShapeNetworks.INPUTS,
                ShapeNetworks.UNITS), format);
        INDArray input = sequence(format, ShapeNetworks.INPUTS, 5);
        INDArray labels = sequence(format, ShapeNetworks.OUTPUTS, 6);

        assertTrue(check(net, input, labels, null), "gradient check failed");
    }

    @Test
    void maskedTimeDistributedDenseGradients() {
        MultiLayerNetwork net = ShapeNetworks.recurrent(ShapeNetworks.timeDistributed(RNNFormat.NCW,
                ShapeNetworks.INPUTS, ShapeNetworks.UNITS), RNNFormat.NCW);
        INDArray input = sequence(RNNFormat.NCW, ShapeNetworks.INPUTS, 7);
        INDArray labels = sequence(RNNFormat.NCW, ShapeNetworks.OUTPUTS, 8);

        assertTrue(check(net, input, labels, mask()), "gradient check failed");
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void convolutionGradients(CNN2DFormat format) {
        MultiLayerNetwork net = ShapeNetworks.convolutional(format, 4);
        Nd4j.getRandom().setSeed(9);
        INDArray nchw = Nd4j.rand(DataType.DOUBLE, 2, ShapeNetworks.INPUTS, 4, 4);
        INDArray input = format == CNN2DFormat.NCHW ? nchw : nchw.permute(0, 2, 3, 1).dup('c');
        INDArray labels = Nd4j.rand(DataType.DOUBLE, 2, ShapeNetworks.OUTPUTS);

        assertTrue(check(net, input, labels, null), "gradient check failed");
    }
}
