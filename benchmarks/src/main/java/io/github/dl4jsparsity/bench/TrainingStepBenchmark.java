package io.github.dl4jsparsity.bench;

import java.util.concurrent.TimeUnit;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@code MultiLayerNetwork.fit(DataSet)} step of the float32 autoencoder: without a penalty, with the library's
 * KL wrapper, and with the closed-form ND4J wrapper. The input is fixed per trial and is also the label.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 5)
@Measurement(iterations = 10, time = 5)
@Fork(value = 2, jvmArgsAppend = {"-Xmx4g", "-Xms4g"})
public class TrainingStepBenchmark {

    @Param({"BASELINE", "LIBRARY", "FLOOR"})
    public Autoencoders.Variant variant;

    @Param({"32", "256"})
    public int minibatch;

    @Param({"300", "2000"})
    public int codingUnits;

    private MultiLayerNetwork network;
    private DataSet data;

    @Setup(Level.Trial)
    public void setUp() {
        ThreadSettings.checkNd4j();
        network = Autoencoders.network(variant, codingUnits, DataType.FLOAT);
        INDArray input = Autoencoders.input(minibatch, Autoencoders.SEED + minibatch, DataType.FLOAT);
        data = new DataSet(input, input);
    }

    @Benchmark
    public double fitStep() {
        network.fit(data);
        return network.score();
    }
}
