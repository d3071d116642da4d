package io.github.dl4jsparsity.bench;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.dl4jsparsity.penalty.PenaltyGraph;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The penalty alone on fixed float32 activations [m, n] in (0, 1), as the layers compute it for dense activations:
 * the column mean q, then the value and the [1, n] gradient row d(penalty)/dq / m. All three cases take the column
 * mean as the layers do, with {@code DenseRowOps} into a row allocated once. {@code libraryGraph} then calls
 * {@link PenaltyGraph#evaluateMeanInto}, which replays the graph's ops and writes the gradient into a second such
 * row. {@code sessionGraph} runs the same graph through SameDiff's session ({@code calculateGradientsAndOutputs}), as
 * the library did before the replay. {@code closedForm} is the hand-written
 * {@link ClosedFormKl#valueAndGradientRow(INDArray, long, double, double, double)}. Both layers then add the row to
 * every row of the epsilon, which is not timed here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 5)
@Measurement(iterations = 10, time = 5)
@Fork(value = 2, jvmArgsAppend = {"-Xmx4g", "-Xms4g"})
public class PenaltyBenchmark {

    @Param({"32", "256"})
    public int minibatch;

    @Param({"300", "2000"})
    public int codingUnits;

    private static final List<String> SESSION_OUTPUTS = List.of(PenaltyGraph.PENALTY);
    private static final List<String> SESSION_GRADIENTS = List.of(PenaltyGraph.BATCH_MEAN);

    private DensePenalty penalty;

    @Setup(Level.Trial)
    public void setUp() {
        ThreadSettings.checkNd4j();
        penalty = new DensePenalty(minibatch, codingUnits);
    }

    @Benchmark
    public INDArray libraryGraph() {
        return penalty.library();
    }

    @Benchmark
    public INDArray sessionGraph() {
        // The squeeze q' = (1 - 2 eps) q + eps before the placeholder, and its scale in the chain rule after.
        double scale = 1.0 - 2.0 * Autoencoders.EPSILON;
        INDArray squeezed = penalty.mean().mul(scale).addi(Autoencoders.EPSILON);
        OutAndGrad result = penalty.graph.sameDiff().calculateGradientsAndOutputs(
                Map.of(PenaltyGraph.BATCH_MEAN, squeezed), SESSION_OUTPUTS, SESSION_GRADIENTS);
        result.getOutputs().get(PenaltyGraph.PENALTY).getDouble(0);
        return result.getGradients().get(PenaltyGraph.BATCH_MEAN).mul(scale / minibatch);
    }

    @Benchmark
    public ClosedFormKl.Result closedForm() {
        return penalty.closedForm();
    }
}
