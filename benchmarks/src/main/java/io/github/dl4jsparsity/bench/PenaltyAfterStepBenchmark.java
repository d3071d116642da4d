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
 * The penalty alone, as {@link PenaltyBenchmark} times it, but each call right after one training step of the
 * baseline network, as it runs inside a real step. The step runs in a per-invocation setup, which JMH leaves out of
 * the time. Between two penalty calls the step's matrix products and other ops pass through the CPU caches, so
 * this is the penalty's cost in a training step, which a loop of penalty calls alone understates.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 5)
@Measurement(iterations = 10, time = 5)
@Fork(value = 2, jvmArgsAppend = {"-Xmx4g", "-Xms4g"})
public class PenaltyAfterStepBenchmark {

    @Param({"32", "256"})
    public int minibatch;

    @Param({"300", "2000"})
    public int codingUnits;

    private MultiLayerNetwork baseline;
    private DataSet data;
    private DensePenalty penalty;

    @Setup(Level.Trial)
    public void setUp() {
        ThreadSettings.checkNd4j();
        baseline = Autoencoders.network(Autoencoders.Variant.BASELINE, codingUnits, DataType.FLOAT);
        INDArray input = Autoencoders.input(minibatch, Autoencoders.SEED + minibatch, DataType.FLOAT);
        data = new DataSet(input, input);
        penalty = new DensePenalty(minibatch, codingUnits);
    }

    /** Runs one training step of the baseline network before each timed call. */
    @Setup(Level.Invocation)
    public void stepBaseline() {
        baseline.fit(data);
    }

    @Benchmark
    public INDArray libraryGraph() {
        return penalty.library();
    }

    @Benchmark
    public ClosedFormKl.Result closedForm() {
        return penalty.closedForm();
    }
}
