package io.github.dl4jsparsity.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import io.github.dl4jsparsity.conf.SparsityLayer;
import io.github.dl4jsparsity.penalty.ActivationRows;
import io.github.dl4jsparsity.penalty.PenaltyGraph;
import io.github.dl4jsparsity.penalty.PenaltySpec;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import io.github.dl4jsparsity.testutil.ShapeNetworks;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Penalty values, mean activations and masking for rank-3 and rank-4 activations. */
class ShapesPenaltyTest {

    private static final double EPS = 1e-7;

    @BeforeAll
    static void useDoublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static SparsityLayerImpl codingLayer(MultiLayerNetwork net) {
        return (SparsityLayerImpl) net.getLayer(0);
    }

    private static INDArray activate(MultiLayerNetwork net, INDArray input, INDArray mask, boolean training) {
        SparsityLayerImpl layer = codingLayer(net);
        layer.setMaskArray(mask);
        return layer.activate(input, training, LayerWorkspaceMgr.noWorkspaces());
    }

    /** Returns a [2, 3, 4] array from a seeded generator as nested Java arrays. */
    private static double[][][] seededSequence() {
        Random random = new Random(2024);
        double[][][] a = new double[2][3][4];
        for (double[][] example : a) {
            for (double[] unit : example) {
                for (int t = 0; t < unit.length; t++) {
                    unit[t] = random.nextDouble();
                }
            }
        }
        return a;
    }

    @Test
    void sequenceOfTwoHalvesClosedForm() {
        MultiLayerNetwork net = ShapeNetworks.recurrent(ShapeNetworks.timeDistributed(RNNFormat.NCW, 1, 1),
                RNNFormat.NCW);
        net.getParam("0_W").assign(0.0);
        net.getParam("0_b").assign(0.0);
        INDArray input = Nd4j.createFromArray(new double[][][] {{{0.3, -0.7}}});

        INDArray activations = activate(net, input, null, true);

        assertArrayEquals(new double[] {0.5, 0.5}, activations.ravel().toDoubleVector(), 0.0);
        // 0.1 ln(0.1 / 0.5) + 0.9 ln(0.9 / 0.5)
        assertEquals(0.368064, codingLayer(net).getScorePenalty(), 1e-6);
        // dKL/dq at q = 0.5 is -0.1 / 0.5 + 0.9 / 0.5 = 1.6, spread over 2 steps, times m = 1.
        assertArrayEquals(new double[] {0.8, 0.8}, codingLayer(net).penaltyGradient().ravel().toDoubleVector(), 1e-6);
        activate(net, input, null, false);
        assertEquals(0.368064, codingLayer(net).getScorePenalty(), 1e-6);
    }

    @ParameterizedTest
    @EnumSource(RNNFormat.class)
    void meanOverBatchAndTime(RNNFormat format) {
        double[][][] a = seededSequence();
        double[] expected = new double[3];
        for (double[][] example : a) {
            for (int j = 0; j < 3; j++) {
                for (double value : example[j]) {
                    expected[j] += value / 8.0;
                }
            }
        }
        INDArray ncw = Nd4j.createFromArray(a);
        INDArray activations = format == RNNFormat.NCW ? ncw : ncw.permute(0, 2, 1).dup('c');
        PenaltyGraph graph = new PenaltyGraph(new PenaltySpec(SparsityPenalty.KL, 0.1, 1.0, EPS, false),
                DataType.DOUBLE, 3);

        ActivationRows rows = ActivationRows.of(activations, format, null, null);
        PenaltyGraph.Evaluation result = graph.evaluate(rows.rows(), rows.exampleWeights(false, DataType.DOUBLE),
                null, 0.0, false);

        assertArrayEquals(new long[] {8, 3}, rows.rows().shape());
        assertArrayEquals(expected, result.batchMean().toDoubleVector(), 1e-12);
    }

    @Test
    void maskedMeanSkipsMaskedSteps() {
        double[][][] a = seededSequence();
        double[][] mask = {{1, 1, 0, 0}, {1, 1, 1, 0}};
        double[] expected = new double[3];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int t = 0; t < 4; t++) {
                    expected[j] += mask[i][t] * a[i][j][t] / 5.0;
                }
            }
        }
        PenaltyGraph graph = new PenaltyGraph(new PenaltySpec(SparsityPenalty.KL, 0.1, 1.0, EPS, false),
                DataType.DOUBLE, 3);

        ActivationRows rows = ActivationRows.of(Nd4j.createFromArray(a), RNNFormat.NCW, null,
                Nd4j.createFromArray(mask));
        PenaltyGraph.Evaluation result = graph.evaluate(rows.rows(), rows.exampleWeights(false, DataType.DOUBLE),
                null, 0.0, false);

        assertEquals(5.0, rows.count());
        assertArrayEquals(expected, result.batchMean().toDoubleVector(), 1e-12);
    }

    @Test
    void layerMeanIsBatchAndTimeMean() {
        MultiLayerNetwork net = ShapeNetworks.recurrent(ShapeNetworks.timeDistributed(RNNFormat.NCW, 3, 3),
                RNNFormat.NCW);
        INDArray input = Nd4j.createFromArray(seededSequence());

        INDArray activations = activate(net, input, null, true);

        assertArrayEquals(activations.mean(0, 2).toDoubleVector(),
                codingLayer(net).getLastMeanActivation().toDoubleVector(), 1e-12);
    }

    @Test
    void maskedStepsGetZeroExtraGradient() {
        MultiLayerNetwork net = ShapeNetworks.recurrent(ShapeNetworks.lstm(RNNFormat.NCW), RNNFormat.NCW);
        Nd4j.getRandom().setSeed(11);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 2, ShapeNetworks.INPUTS, 4);
        INDArray mask = Nd4j.createFromArray(new double[][] {{1, 1, 0, 0}, {1, 1, 1, 0}});

        activate(net, input, mask, true);
        INDArray gradient = codingLayer(net).penaltyGradient();

        for (int i = 0; i < 2; i++) {
            for (int t = 0; t < 4; t++) {
                for (int j = 0; j < ShapeNetworks.UNITS; j++) {
                    double g = gradient.getDouble(i, j, t);
                    if (mask.getDouble(i, t) == 0.0) {
                        assertTrue(g == 0.0, "masked step (" + i + ", " + t + ") unit " + j + " got " + g);
                    } else {
                        assertTrue(g != 0.0, "unmasked step (" + i + ", " + t + ") unit " + j + " got 0");
                    }
                }
            }
        }
    }

    @Test
    void fullyMaskedMinibatchAddsNothing() {
        MultiLayerNetwork net = ShapeNetworks.recurrent(ShapeNetworks.lstm(RNNFormat.NCW), RNNFormat.NCW);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 2, ShapeNetworks.INPUTS, 4);
        INDArray mask = Nd4j.zeros(DataType.DOUBLE, 2, 4);

        activate(net, input, mask, true);
        SparsityLayerImpl layer = codingLayer(net);

        assertEquals(0.0, layer.getScorePenalty());
        assertNull(layer.getLastMeanActivation());
        for (double g : layer.penaltyGradient().ravel().toDoubleVector()) {
            assertTrue(g == 0.0, "gradient " + g);
        }
        activate(net, input, mask, false);
        assertEquals(0.0, layer.getScorePenalty());
        net.setLayerMaskArrays(mask, mask);
        double score = net.score(new org.nd4j.linalg.dataset.DataSet(input,
                Nd4j.rand(DataType.DOUBLE, 2, ShapeNetworks.OUTPUTS, 4), mask, mask), true);
        assertTrue(Double.isFinite(score), "score " + score);
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void convolutionMeanPerChannel(CNN2DFormat format) {
        MultiLayerNetwork net = ShapeNetworks.convolutional(format, 4);
        Nd4j.getRandom().setSeed(13);
        INDArray nchw = Nd4j.rand(DataType.DOUBLE, 2, ShapeNetworks.INPUTS, 4, 4);
        INDArray input = format == CNN2DFormat.NCHW ? nchw : nchw.permute(0, 2, 3, 1).dup('c');

        INDArray activations = activate(net, input, null, true);

        int[] spatial = format == CNN2DFormat.NCHW ? new int[] {0, 2, 3} : new int[] {0, 1, 2};
        double[] expected = activations.mean(spatial).toDoubleVector();
        assertEquals(ShapeNetworks.UNITS, expected.length);
        assertArrayEquals(expected, codingLayer(net).getLastMeanActivation().toDoubleVector(), 1e-12);
        double penalty = 0.0;
        for (double q : expected) {
            penalty += 0.1 * Math.log(0.1 / (EPS + (1 - 2 * EPS) * q))
                    + 0.9 * Math.log(0.9 / (1 - EPS - (1 - 2 * EPS) * q));
        }
        assertEquals(penalty, codingLayer(net).getScorePenalty(), 1e-12);
    }

    @Test
    void convolutionFormatsAgree() {
        MultiLayerNetwork nchw = ShapeNetworks.convolutional(CNN2DFormat.NCHW, 4);
        MultiLayerNetwork nhwc = ShapeNetworks.convolutional(CNN2DFormat.NHWC, 4);
        nhwc.setParams(nchw.params());
        Nd4j.getRandom().setSeed(17);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 2, ShapeNetworks.INPUTS, 4, 4);

        activate(nchw, input, null, false);
        activate(nhwc, input.permute(0, 2, 3, 1).dup('c'), null, false);

        assertEquals(codingLayer(nchw).getScorePenalty(), codingLayer(nhwc).getScorePenalty(), 1e-12);
    }

    @Test
    void rankFiveActivationsRejected() {
        SparsityLayer coding = new SparsityLayer.Builder().layer(new Convolution3D.Builder().kernelSize(1, 1, 1)
                .nIn(1).nOut(2).activation(Activation.SIGMOID).build()).build();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .list().layer(coding).layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(16).nOut(1)
                        .activation(Activation.IDENTITY).build()).build());
        net.init();
        INDArray input = Nd4j.rand(DataType.DOUBLE, 1, 1, 2, 2, 2);

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> activate(net, input, null, true));

        assertEquals("Unsupported activation rank 5 in SparsityLayer 'layer0': activations have shape "
                + "[1, 2, 2, 2, 2], and this layer handles rank 2 [minibatch, units], rank 3 [minibatch, units, "
                + "time] (NCW or NWC) and rank 4 [minibatch, channels, height, width] (NCHW or NHWC)",
                error.getMessage());
    }
}
