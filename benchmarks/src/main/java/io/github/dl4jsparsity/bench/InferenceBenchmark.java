package io.github.dl4jsparsity.bench;

import java.util.concurrent.TimeUnit;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * {@code MultiLayerNetwork.output(INDArray)} of the float32 autoencoder with and without the library's KL wrapper.
 * The wrapper's inference pass adds one column mean of the coding activations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 5)
@Measurement(iterations = 10, time = 5)
@Fork(value = 2, jvmArgsAppend = {"-Xmx4g", "-Xms4g"})
public class InferenceBenchmark {

    @Param({"BASELINE", "LIBRARY"})
    public Autoencoders.Variant variant;

    @Param({"32", "256"})
    public int minibatch;

    @Param({"300", "2000"})
    public int codingUnits;

    private MultiLayerNetwork network;
    private INDArray input;

    @Setup(Level.Trial)
    public void setUp() {
        ThreadSettings.checkNd4j();
        network = Autoencoders.network(variant, codingUnits, DataType.FLOAT);
        input = Autoencoders.input(minibatch, Autoencoders.SEED + minibatch, DataType.FLOAT);
    }

    @Benchmark
    public INDArray output() {
        return network.output(input);
    }
}
