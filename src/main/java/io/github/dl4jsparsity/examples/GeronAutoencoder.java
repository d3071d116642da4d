package io.github.dl4jsparsity.examples;

import io.github.dl4jsparsity.conf.SparsityLayer;
import io.github.dl4jsparsity.penalty.PenaltyScaling;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The sparse autoencoder of Géron, Hands-On Machine Learning, chapter 17: encoder 784 -> 100 (SELU) -> 300
 * (sigmoid, the coding layer, optionally wrapped in a {@link SparsityLayer}), decoder 300 -> 100 (SELU) -> 784
 * (sigmoid), binary cross-entropy, SGD by default, Glorot-uniform weights and zero biases as in Keras.
 *
 * <p>DL4J's binary cross-entropy sums over the 784 outputs while Keras averages them, so the DL4J loss is 784 times
 * the Keras loss. SGD with learning rate {@code lr_keras / 784} therefore makes the same updates, and a Keras
 * activity-regularizer weight {@code w} becomes {@code 784 w} with {@link PenaltyScaling#PER_EXAMPLE}.
 */
public final class GeronAutoencoder {

    /** Number of pixels of a Fashion-MNIST image. */
    public static final int INPUTS = 784;
    /** Width of the SELU hidden layers. */
    public static final int HIDDEN = 100;
    /** Number of coding units. */
    public static final int CODING = 300;
    /** Index of the coding layer in the network. */
    public static final int CODING_LAYER = 1;
    /** Ratio between DL4J's summed and Keras's averaged binary cross-entropy. */
    public static final double KERAS_LOSS_RATIO = INPUTS;
    /** The book's SGD learning rate in Keras. */
    public static final double KERAS_LEARNING_RATE = 1.0;
    /**
     * The example job's default SGD learning rate in Keras units, 4 times the book's. With the book's rate and KL
     * weight, DL4J leaves 68% of the coding activations below 0.1 after 10 epochs, short of the book's 70%.
     */
    public static final double DEFAULT_KERAS_LEARNING_RATE = 4.0;

    private GeronAutoencoder() {
    }

    /** Settings of one network. */
    public record Settings(PenaltyChoice penalty, double target, double weight, PenaltyScaling scaling,
                           Optimizer optimizer, double learningRate, long seed) {
    }

    /** Returns the DL4J weight that matches the example job's default Keras weight for a penalty. */
    public static double defaultWeight(PenaltyChoice penalty, PenaltyScaling scaling, int batchSize) {
        return dl4jWeight(penalty.defaultKerasWeight(), scaling, batchSize);
    }

    private static double dl4jWeight(double kerasWeight, PenaltyScaling scaling, int batchSize) {
        double perExample = KERAS_LOSS_RATIO * kerasWeight;
        return scaling == PenaltyScaling.PER_EXAMPLE ? perExample : perExample / batchSize;
    }

    /** Builds the configuration. */
    public static MultiLayerConfiguration configuration(Settings settings) {
        Layer coding = new DenseLayer.Builder().nIn(HIDDEN).nOut(CODING).activation(Activation.SIGMOID).build();
        if (settings.penalty() != PenaltyChoice.NONE) {
            coding = new SparsityLayer.Builder().layer(coding).penalty(settings.penalty().penalty())
                    .target(settings.target()).weight(settings.weight()).scaling(settings.scaling())
                    .name("coding").build();
        }
        return new NeuralNetConfiguration.Builder()
                .seed(settings.seed())
                .dataType(DataType.FLOAT)
                .updater(settings.optimizer().updater(settings.learningRate()))
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .biasInit(0.0)
                .list()
                .layer(new DenseLayer.Builder().nIn(INPUTS).nOut(HIDDEN).activation(Activation.SELU).build())
                .layer(coding)
                .layer(new DenseLayer.Builder().nIn(CODING).nOut(HIDDEN).activation(Activation.SELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(HIDDEN).nOut(INPUTS)
                        .activation(Activation.SIGMOID).build())
                .build();
    }

    /** Builds and initializes the network. */
    public static MultiLayerNetwork create(Settings settings) {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(settings));
        net.init();
        return net;
    }
}
