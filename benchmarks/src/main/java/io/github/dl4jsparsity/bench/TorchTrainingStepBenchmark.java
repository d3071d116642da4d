package io.github.dl4jsparsity.bench;

import java.util.concurrent.TimeUnit;

import ai.djl.ndarray.NDArray;
import org.nd4j.linalg.api.buffer.DataType;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One SGD step of the same autoencoder in PyTorch 2.7.1 through DJL 0.36.0, with and without the KL penalty. The
 * input has the same values as the DL4J benchmarks' input. DJL runs offline from the native library bundled in the
 * pytorch-native-cpu jar.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 5)
@Measurement(iterations = 10, time = 5)
@Fork(value = 2, jvmArgsAppend = {"-Xmx4g", "-Xms4g", "-Dai.djl.offline=true"})
public class TorchTrainingStepBenchmark {

    @Param({"false", "true"})
    public boolean penalized;

    @Param({"32", "256"})
    public int minibatch;

    @Param({"300", "2000"})
    public int codingUnits;

    private TorchAutoencoder network;
    private NDArray input;

    @Setup(Level.Trial)
    public void setUp() {
        network = new TorchAutoencoder(codingUnits, penalized);
        float[] values = Autoencoders.input(minibatch, Autoencoders.SEED + minibatch, DataType.FLOAT)
                .ravel().toFloatVector();
        input = network.input(values, minibatch);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        network.close();
    }

    @Benchmark
    public float trainStep() {
        return network.trainStep(input);
    }
}
