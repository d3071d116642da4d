package io.github.dl4jsparsity.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.github.dl4jsparsity.penalty.DenseRowOps;
import io.github.dl4jsparsity.penalty.PenaltyGraph;
import io.github.dl4jsparsity.penalty.PenaltySpec;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Splits the cost of the penalty graph's SameDiff session into time spent inside ND4J ops and time spent in the
 * session around them, and times the library's call, which replays the same ops without the session. It counts the
 * ops of the forward graph and of the gradient function, times the layer's dense path (the column mean into a row,
 * then {@link PenaltyGraph#evaluateMeanInto}), and times the session's {@code calculateGradientsAndOutputs} on the same graph
 * with and without a listener. With the listener it sums the wall time between each op's pre- and post-execution
 * callbacks. The closed form is timed for comparison.
 * Single-shot wall-clock timing, so an estimate; {@link PenaltyBenchmark} is the measurement.
 *
 * <p>Arguments, all optional: minibatch (default 256), coding units (300), calls per timing (2000).
 */
public final class PenaltyGraphProfile {

    private PenaltyGraphProfile() {
    }

    /** Listener that sums the time inside each op type between its pre- and post-execution callbacks. */
    private static final class OpTimer extends BaseListener {
        private final Map<String, long[]> nanosAndCounts = new TreeMap<>();
        private long opStart;
        private long totalNanos;
        private long totalOps;

        @Override
        public boolean isActive(Operation operation) {
            return true;
        }

        @Override
        public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
            opStart = System.nanoTime();
        }

        @Override
        public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext,
                                INDArray[] outputs) {
            long elapsed = System.nanoTime() - opStart;
            long[] entry = nanosAndCounts.computeIfAbsent(op.getOp().opName(), name -> new long[2]);
            entry[0] += elapsed;
            entry[1]++;
            totalNanos += elapsed;
            totalOps++;
        }

        void reset() {
            nanosAndCounts.clear();
            totalNanos = 0;
            totalOps = 0;
        }
    }

    public static void main(String[] args) {
        int minibatch = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int units = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 2000;

        PenaltySpec spec = new PenaltySpec(SparsityPenalty.KL, Autoencoders.TARGET, Autoencoders.WEIGHT,
                Autoencoders.EPSILON, false);
        PenaltyGraph graph = new PenaltyGraph(spec, DataType.FLOAT, units);
        Nd4j.getRandom().setSeed(Autoencoders.SEED);
        INDArray activations = Nd4j.rand(DataType.FLOAT, minibatch, units).muli(0.98).addi(0.01);

        SameDiff sd = graph.sameDiff();
        SameDiff gradFunction = sd.getFunction("grad");
        System.out.printf("minibatch=%d units=%d forwardOps=%d gradientFunctionOps=%d%n", minibatch, units,
                sd.getOps().size(), gradFunction == null ? -1 : gradFunction.getOps().size());

        // The layer's path for dense activations: the column mean into a row, then the value and the gradient row.
        INDArray meanRow = Nd4j.create(DataType.FLOAT, 1, units);
        INDArray gradientRow = Nd4j.create(DataType.FLOAT, 1, units);
        DenseRowOps rowOps = new DenseRowOps();
        double graphMicros = timeCalls(calls, () -> {
            rowOps.columnMean(activations, meanRow);
            graph.evaluateMeanInto(meanRow, 1.0 / minibatch, gradientRow);
        });
        double forwardMicros = timeCalls(calls, () -> {
            rowOps.columnMean(activations, meanRow);
            graph.evaluateMean(meanRow, null, 0.0, false);
        });
        double closedFormMicros = timeCalls(calls, () -> {
            rowOps.columnMean(activations, meanRow);
            ClosedFormKl.valueAndGradientRow(meanRow, minibatch, Autoencoders.TARGET, Autoencoders.WEIGHT,
                    Autoencoders.EPSILON);
        });
        System.out.printf("layer path (replay): %.1f us/call, value only: %.1f us/call, closed form: "
                + "%.1f us/call%n", graphMicros, forwardMicros, closedFormMicros);

        // The session gets the squeezed mean q' = (1 - 2 eps) q + eps, which the replay writes into its input array.
        INDArray squeezed = activations.mean(true, 0).muli(1.0 - 2.0 * Autoencoders.EPSILON)
                .addi(Autoencoders.EPSILON);
        Map<String, INDArray> placeholders = Map.of(PenaltyGraph.BATCH_MEAN, squeezed);
        Runnable sessionCall = () -> sd.calculateGradientsAndOutputs(placeholders, List.of(PenaltyGraph.PENALTY),
                List.of(PenaltyGraph.BATCH_MEAN));
        double sessionMicros = timeCalls(calls, sessionCall);
        OpTimer timer = new OpTimer();
        sd.addListeners(timer);
        timeCalls(calls / 4, sessionCall);
        timer.reset();
        double listenedMicros = timeCallsWithoutWarmup(calls, sessionCall);
        System.out.printf("session: %.1f us/call; with op timer: %.1f us/call, %.1f ops/call, %.1f us/call inside "
                + "ops%n", sessionMicros, listenedMicros, timer.totalOps / (double) calls,
                timer.totalNanos / 1e3 / calls);
        System.out.println("op,callsPerCall,usPerCall");
        for (Map.Entry<String, long[]> entry : timer.nanosAndCounts.entrySet()) {
            System.out.printf("%s,%.1f,%.2f%n", entry.getKey(), entry.getValue()[1] / (double) calls,
                    entry.getValue()[0] / 1e3 / calls);
        }
    }

    private static double timeCalls(int calls, Runnable call) {
        for (int i = 0; i < calls / 4; i++) {
            call.run();
        }
        return timeCallsWithoutWarmup(calls, call);
    }

    private static double timeCallsWithoutWarmup(int calls, Runnable call) {
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            call.run();
        }
        return (System.nanoTime() - start) / 1e3 / calls;
    }
}
