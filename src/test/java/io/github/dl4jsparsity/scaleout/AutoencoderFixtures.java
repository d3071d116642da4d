package io.github.dl4jsparsity.scaleout;

import io.github.dl4jsparsity.conf.SparsityLayer;
import io.github.dl4jsparsity.data.FashionMnist;
import io.github.dl4jsparsity.data.FashionMnistData;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Fashion-MNIST sparse autoencoder shared by the scale-out tests: 784 inputs, 300 sigmoid coding units wrapped in a
 * KL {@link SparsityLayer} with target p = 0.1, and 784 sigmoid outputs with binary cross-entropy (XENT).
 */
final class AutoencoderFixtures {

    /** Target sparsity p of the coding layer. */
    static final double TARGET = 0.1;
    /** Largest accepted distance between the mean coding activation on held-out images and {@link #TARGET}. */
    static final double TOLERANCE = 0.02;
    /** Smallest distance from {@link #TARGET} that counts as "far" for a network trained without the penalty. */
    static final double FAR = 0.1;
    /** Number of coding units. */
    static final int CODING_UNITS = 300;
    /**
     * Penalty weight beta, added once per minibatch. The XENT loss is summed over 784 pixels, so it outweighs the KL
     * sum over 300 units: with beta = 3 single-threaded training still had q = 0.13 after 600 minibatches, with
     * beta = 30 it stayed within 0.01 of p from 250 minibatches on.
     */
    static final double WEIGHT = 30.0;
    /** Adam learning rate. */
    static final double LEARNING_RATE = 1e-3;
    /** Images per minibatch. */
    static final int BATCH_SIZE = 50;
    /** Training images: two passes give 400 minibatches of {@link #BATCH_SIZE}. */
    static final int TRAIN_IMAGES = 10_000;
    /** Held-out test images on which the mean coding activation is measured. */
    static final int TEST_IMAGES = 1_000;
    /** Seed of the weight initialization and of the row order. */
    static final long SEED = 42;
    /** Name of the coding vertex in the graph form. */
    static final String CODING = "coding";

    private static FashionMnistData data;

    private AutoencoderFixtures() {
    }

    /** Returns the Fashion-MNIST subset of the tests, loaded once per JVM. */
    static synchronized FashionMnistData data() {
        if (data == null) {
            data = FashionMnist.builder().maxTrainImages(TRAIN_IMAGES).maxTestImages(TEST_IMAGES).build().load();
        }
        return data;
    }

    /** Returns the coding layer, wrapped in the KL penalty or, for the control network, bare. */
    static Layer codingLayer(boolean wrapped) {
        DenseLayer dense = new DenseLayer.Builder().nIn(FashionMnist.PIXELS_PER_IMAGE).nOut(CODING_UNITS)
                .activation(Activation.SIGMOID).build();
        if (!wrapped) {
            return dense;
        }
        return new SparsityLayer.Builder().layer(dense).penalty(SparsityPenalty.KL).target(TARGET).weight(WEIGHT)
                .build();
    }

    private static OutputLayer outputLayer() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(CODING_UNITS)
                .nOut(FashionMnist.PIXELS_PER_IMAGE).activation(Activation.SIGMOID).build();
    }

    private static NeuralNetConfiguration.Builder base() {
        return new NeuralNetConfiguration.Builder().seed(SEED).dataType(DataType.FLOAT).updater(new Adam(LEARNING_RATE))
                .weightInit(WeightInit.XAVIER);
    }

    /** Returns the autoencoder as a layer list: layer 0 is the coding layer, layer 1 the output. */
    static MultiLayerConfiguration multiLayerConfiguration(boolean wrapped) {
        return base().list().layer(codingLayer(wrapped)).layer(outputLayer()).build();
    }

    /** Returns the autoencoder as a graph with input "in", coding vertex {@link #CODING} and output "out". */
    static ComputationGraphConfiguration graphConfiguration(boolean wrapped) {
        return base().graphBuilder().addInputs("in").addLayer(CODING, codingLayer(wrapped), "in")
                .addLayer("out", outputLayer(), CODING).setOutputs("out").build();
    }

    /** Returns an initialized layer-list autoencoder. */
    static MultiLayerNetwork multiLayerNetwork(boolean wrapped) {
        MultiLayerNetwork net = new MultiLayerNetwork(multiLayerConfiguration(wrapped));
        net.init();
        return net;
    }

    /** Returns an initialized graph autoencoder. */
    static ComputationGraph graphNetwork(boolean wrapped) {
        ComputationGraph net = new ComputationGraph(graphConfiguration(wrapped));
        net.init();
        return net;
    }

    /** Returns the mean coding activation q over all units and held-out images. */
    static double meanCodingActivation(MultiLayerNetwork net) {
        INDArray coding = net.feedForward(data().testImages(), false).get(1);
        return coding.meanNumber().doubleValue();
    }

    /** Returns the mean coding activation q over all units and held-out images. */
    static double meanCodingActivation(ComputationGraph net) {
        INDArray coding = net.feedForward(data().testImages(), false).get(CODING);
        return coding.meanNumber().doubleValue();
    }
}
