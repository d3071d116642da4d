package io.github.dl4jsparsity.testutil;

import io.github.dl4jsparsity.conf.SparsityLayer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small double-precision networks whose wrapped coding layer has rank-3 or rank-4 activations. */
public final class ShapeNetworks {

    /** Input features per time step, and input channels of the convolution networks. */
    public static final int INPUTS = 2;
    /** Coding units of the recurrent networks and output channels of the convolution networks. */
    public static final int UNITS = 3;
    /** Outputs per time step or per example. */
    public static final int OUTPUTS = 2;

    private ShapeNetworks() {
    }

    private static NeuralNetConfiguration.ListBuilder list() {
        return new NeuralNetConfiguration.Builder().seed(12345).dataType(DataType.DOUBLE).updater(new NoOp())
                .weightInit(WeightInit.XAVIER).list();
    }

    /** Returns an LSTM coding layer with sigmoid activation, wrapped with target 0.1 and weight 1. */
    public static SparsityLayer lstm(RNNFormat format) {
        return wrap(new LSTM.Builder().nIn(INPUTS).nOut(UNITS).activation(Activation.SIGMOID).dataFormat(format)
                .build());
    }

    /** Returns a TimeDistributed sigmoid dense coding layer, wrapped with target 0.1 and weight 1. */
    public static SparsityLayer timeDistributed(RNNFormat format, int inputs, int units) {
        DenseLayer dense = new DenseLayer.Builder().nIn(inputs).nOut(units).activation(Activation.SIGMOID).build();
        return wrap(new TimeDistributed(dense, format));
    }

    /** Returns a 2x2 sigmoid convolution with UNITS output channels, wrapped with target 0.1 and weight 1. */
    public static SparsityLayer convolution(CNN2DFormat format) {
        return wrap(new ConvolutionLayer.Builder(2, 2).nIn(INPUTS).nOut(UNITS).activation(Activation.SIGMOID)
                .dataFormat(format).build());
    }

    private static SparsityLayer wrap(Layer layer) {
        return new SparsityLayer.Builder().layer(layer).target(0.1).weight(1.0).build();
    }

    /** Returns the coding layer followed by an MSE RnnOutputLayer in the same format. */
    public static MultiLayerNetwork recurrent(SparsityLayer coding, RNNFormat format) {
        MultiLayerConfiguration conf = list().layer(coding)
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(UNITS).nOut(OUTPUTS)
                        .activation(Activation.IDENTITY).dataFormat(format).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Returns the convolution coding layer on [INPUTS, size, size] images followed by an MSE output layer. */
    public static MultiLayerNetwork convolutional(CNN2DFormat format, int size) {
        MultiLayerConfiguration conf = list().layer(convolution(format))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(OUTPUTS)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(size, size, INPUTS, format))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
