package io.github.dl4jsparsity.testutil;

import io.github.dl4jsparsity.conf.SparsityLayer;
import io.github.dl4jsparsity.penalty.PenaltyScaling;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small networks with one wrapped sigmoid coding layer, shared by the integration tests. */
public final class Networks {

    /** Number of inputs of the small test networks. */
    public static final int INPUTS = 4;
    /** Number of coding units of the small test networks. */
    public static final int UNITS = 5;
    /** Number of outputs of the small test networks. */
    public static final int OUTPUTS = 3;

    private Networks() {
    }

    /** Settings of the small test networks. */
    public record Settings(SparsityPenalty penalty, double target, double weight, PenaltyScaling scaling,
                           boolean bias, Activation activation, IUpdater updater, WorkspaceMode workspaceMode,
                           DataType dataType, boolean wrapped) {

        /** Returns KL, target 0.1, weight 1, per minibatch, bias on, sigmoid, NoOp, workspaces on, double. */
        public static Settings defaults() {
            return new Settings(SparsityPenalty.KL, 0.1, 1.0, PenaltyScaling.PER_MINIBATCH, true,
                    Activation.SIGMOID, new NoOp(), WorkspaceMode.ENABLED, DataType.DOUBLE, true);
        }

        public Settings withBias(boolean value) {
            return new Settings(penalty, target, weight, scaling, value, activation, updater, workspaceMode,
                    dataType, wrapped);
        }

        public Settings withScaling(PenaltyScaling value) {
            return new Settings(penalty, target, weight, value, bias, activation, updater, workspaceMode, dataType,
                    wrapped);
        }

        public Settings withPenalty(SparsityPenalty value) {
            return new Settings(value, target, weight, scaling, bias, activation, updater, workspaceMode, dataType,
                    wrapped);
        }

        public Settings withActivation(Activation value) {
            return new Settings(penalty, target, weight, scaling, bias, value, updater, workspaceMode, dataType,
                    wrapped);
        }

        public Settings withUpdater(IUpdater value) {
            return new Settings(penalty, target, weight, scaling, bias, activation, value, workspaceMode, dataType,
                    wrapped);
        }

        public Settings withWorkspaceMode(WorkspaceMode value) {
            return new Settings(penalty, target, weight, scaling, bias, activation, updater, value, dataType,
                    wrapped);
        }

        public Settings withDataType(DataType value) {
            return new Settings(penalty, target, weight, scaling, bias, activation, updater, workspaceMode, value,
                    wrapped);
        }

        public Settings withWrapped(boolean value) {
            return new Settings(penalty, target, weight, scaling, bias, activation, updater, workspaceMode, dataType,
                    value);
        }

        public Settings withWeight(double value) {
            return new Settings(penalty, target, value, scaling, bias, activation, updater, workspaceMode, dataType,
                    wrapped);
        }
    }

    /** Returns the coding layer, wrapped or not according to the settings. */
    public static Layer codingLayer(Settings s) {
        DenseLayer dense = new DenseLayer.Builder().nIn(INPUTS).nOut(UNITS).activation(s.activation())
                .hasBias(s.bias()).build();
        if (!s.wrapped()) {
            return dense;
        }
        return new SparsityLayer.Builder().layer(dense).penalty(s.penalty()).target(s.target()).weight(s.weight())
                .scaling(s.scaling()).build();
    }

    private static NeuralNetConfiguration.Builder base(Settings s) {
        return new NeuralNetConfiguration.Builder().seed(12345).dataType(s.dataType()).updater(s.updater())
                .weightInit(WeightInit.XAVIER).trainingWorkspaceMode(s.workspaceMode())
                .inferenceWorkspaceMode(s.workspaceMode());
    }

    private static OutputLayer outputLayer() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(UNITS).nOut(OUTPUTS)
                .activation(Activation.SIGMOID).build();
    }

    /** Returns input, coding layer, sigmoid output with binary cross-entropy. */
    public static MultiLayerConfiguration multiLayer(Settings s) {
        return base(s).list().layer(codingLayer(s)).layer(outputLayer()).build();
    }

    /** Returns the same network as {@link #multiLayer(Settings)} as a graph with vertices "coding" and "out". */
    public static ComputationGraphConfiguration graph(Settings s) {
        return base(s).graphBuilder().addInputs("in").addLayer("coding", codingLayer(s), "in")
                .addLayer("out", outputLayer(), "coding").setOutputs("out").build();
    }

    /**
     * Returns a graph in which the coding layer's activations reach the output twice: through an element-wise sum
     * with a second dense layer "side" of the input, and directly, merged with that sum. The coding layer then
     * receives the sum of two epsilons, one of them copied by the element-wise vertex.
     */
    public static ComputationGraphConfiguration branchedGraph(Settings s) {
        DenseLayer side = new DenseLayer.Builder().nIn(INPUTS).nOut(UNITS).activation(Activation.TANH).build();
        OutputLayer out = new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(2 * UNITS).nOut(OUTPUTS)
                .activation(Activation.SIGMOID).build();
        return base(s).graphBuilder().addInputs("in").addLayer("coding", codingLayer(s), "in")
                .addLayer("side", side, "in")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "coding", "side")
                .addVertex("merge", new MergeVertex(), "sum", "coding").addLayer("out", out, "merge")
                .setOutputs("out").build();
    }

    /** Returns inputs in [0.5, 1) from a seeded generator, so a shared weight sign sets the coding mean. */
    public static INDArray input(int minibatch, long seed, DataType dataType) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(dataType, minibatch, INPUTS).muli(0.5).addi(0.5);
    }

    /** Returns binary labels from a seeded generator. */
    public static INDArray labels(int minibatch, long seed, DataType dataType) {
        Nd4j.getRandom().setSeed(seed + 1);
        return Nd4j.rand(dataType, minibatch, OUTPUTS).gt(0.5).castTo(dataType);
    }

    /**
     * Sets the coding weights so that every pre-activation is close to logit(q) for inputs from
     * {@link #input(int, long, DataType)}, which puts each unit's mean activation near q.
     */
    public static void steerCodingMean(INDArray weights, INDArray bias, double q) {
        double logit = Math.log(q / (1 - q));
        Nd4j.getRandom().setSeed(99);
        INDArray noise = Nd4j.rand(weights.dataType(), weights.shape()).subi(0.5).muli(0.2);
        weights.assign(noise.addi(logit / (INPUTS * 0.75)));
        if (bias != null) {
            Nd4j.getRandom().setSeed(98);
            bias.assign(Nd4j.rand(bias.dataType(), bias.shape()).subi(0.5).muli(0.1));
        }
    }
}
