package io.github.dl4jsparsity.bench;

import io.github.dl4jsparsity.conf.SparsityLayer;
import io.github.dl4jsparsity.penalty.PenaltyScaling;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The benchmarked autoencoder: 784 inputs, 100 SELU units, a sigmoid coding layer, 100 SELU units and 784 sigmoid
 * outputs with binary cross-entropy, Xavier-uniform weights, zero biases and plain SGD. The same settings are used
 * by {@link TorchAutoencoder}.
 */
public final class Autoencoders {

    /** Number of inputs and outputs (a flattened 28 x 28 image). */
    public static final int INPUTS = 784;
    /** Width of the SELU layers before and after the coding layer. */
    public static final int HIDDEN = 100;
    /** Target sparsity p of every penalized case. */
    public static final double TARGET = 0.1;
    /** Penalty weight beta of every penalized case. */
    public static final double WEIGHT = 1.225;
    /** Squeeze of the mean activations, the library's default. */
    public static final double EPSILON = SparsityLayer.DEFAULT_EPSILON;
    /** SGD learning rate of every case. */
    public static final double LEARNING_RATE = 0.01;
    /** Seed of the weight initialization. */
    public static final long SEED = 42;

    private Autoencoders() {
    }

    /** How the coding layer is penalized. */
    public enum Variant {
        /** Plain sigmoid {@code DenseLayer}, no penalty. */
        BASELINE,
        /** The library's {@link SparsityLayer} with the KL penalty, differentiated by SameDiff. */
        LIBRARY,
        /** {@link ClosedFormKlLayer}: the same penalty written with ND4J ops. */
        FLOOR
    }

    /** Builds and initializes the autoencoder with the given coding width. */
    public static MultiLayerNetwork network(Variant variant, int codingUnits, DataType dataType) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(SEED)
                .dataType(dataType)
                .updater(new Sgd(LEARNING_RATE))
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .list()
                .layer(new DenseLayer.Builder().nIn(INPUTS).nOut(HIDDEN).activation(Activation.SELU).build())
                .layer(codingLayer(variant, codingUnits))
                .layer(new DenseLayer.Builder().nIn(codingUnits).nOut(HIDDEN).activation(Activation.SELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(HIDDEN).nOut(INPUTS)
                        .activation(Activation.SIGMOID).build())
                .build();
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        return network;
    }

    private static Layer codingLayer(Variant variant, int codingUnits) {
        DenseLayer dense = new DenseLayer.Builder().nIn(HIDDEN).nOut(codingUnits).activation(Activation.SIGMOID)
                .build();
        return switch (variant) {
            case BASELINE -> dense;
            case LIBRARY -> new SparsityLayer.Builder().layer(dense).penalty(SparsityPenalty.KL).target(TARGET)
                    .weight(WEIGHT).scaling(PenaltyScaling.PER_MINIBATCH).epsilon(EPSILON).build();
            case FLOOR -> new ClosedFormKlLayer(dense, TARGET, WEIGHT, EPSILON);
        };
    }

    /** Returns uniform random inputs in [0, 1) of shape [minibatch, 784] from a seeded generator. */
    public static INDArray input(int minibatch, long seed, DataType dataType) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(dataType, minibatch, INPUTS);
    }
}
