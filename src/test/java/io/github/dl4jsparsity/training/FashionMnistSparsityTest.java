package io.github.dl4jsparsity.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jsparsity.conf.SparsityLayer;
import io.github.dl4jsparsity.data.AutoencoderDataSetIterator;
import io.github.dl4jsparsity.data.FashionMnist;
import io.github.dl4jsparsity.data.FashionMnistData;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Trains a 784-300-784 sigmoid autoencoder on real Fashion-MNIST images, with and without the KL wrapper, and
 * compares the mean activation of the coding layer on held-out images with the target.
 */
class FashionMnistSparsityTest {

    private static final double TARGET = 0.1;
    private static final int ITERATIONS = 400;
    private static final int BATCH = 64;

    private static FashionMnistData data;

    @BeforeAll
    static void loadData() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        data = FashionMnist.builder().maxTrainImages(5000).maxTestImages(1000).build().load();
    }

    private static MultiLayerNetwork train(boolean sparse) {
        Layer coding = new DenseLayer.Builder().nIn(784).nOut(300).activation(Activation.SIGMOID).build();
        if (sparse) {
            coding = new SparsityLayer.Builder().layer(coding).target(TARGET).weight(10.0).build();
        }
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).dataType(DataType.FLOAT)
                .updater(new Adam(2e-3)).weightInit(WeightInit.XAVIER_UNIFORM).list()
                .layer(coding)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(300).nOut(784)
                        .activation(Activation.SIGMOID).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        AutoencoderDataSetIterator batches = data.trainIterator(BATCH, 7);
        int iterations = 0;
        while (iterations < ITERATIONS) {
            if (!batches.hasNext()) {
                batches.reset();
            }
            net.fit(batches.next());
            iterations++;
        }
        return net;
    }

    private static double meanCoding(MultiLayerNetwork net) {
        INDArray coding = net.feedForwardToLayer(0, data.testImages(), false).get(1);
        return coding.meanNumber().doubleValue();
    }

    @Test
    void klWrapperReachesTarget() {
        MultiLayerNetwork sparse = train(true);
        MultiLayerNetwork plain = train(false);

        double sparseMean = meanCoding(sparse);
        double plainMean = meanCoding(plain);

        assertEquals(TARGET, sparseMean, 0.02, "mean q of the wrapped coding layer on test images");
        assertTrue(Math.abs(plainMean - TARGET) > 0.1, "mean q without the wrapper should stay far from the "
                + "target, found " + plainMean);
    }
}
