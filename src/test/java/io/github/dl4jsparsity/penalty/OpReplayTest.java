package io.github.dl4jsparsity.penalty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Tests of the graph without a moving average, which runs its ops through {@link OpReplay}. They compare it with
 * SameDiff's own session on the same graph, and with the moving-average graph, which runs every op in the session.
 */
class OpReplayTest {

    private static final double EPS = 1e-7;
    private static final long UNITS = 7;

    static Stream<Arguments> settings() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (SparsityPenalty penalty : List.of(SparsityPenalty.KL, SparsityPenalty.MSE, SparsityPenalty.MAE)) {
            for (boolean tanh : new boolean[] {false, true}) {
                for (DataType type : List.of(DataType.DOUBLE, DataType.FLOAT)) {
                    cases.add(Arguments.of(penalty, tanh, type));
                }
            }
        }
        return cases.build();
    }

    /** Returns a graph without a moving average for sigmoid activations, of {@link #UNITS} units. */
    private static PenaltyGraph sigmoidGraph(SparsityPenalty penalty, double target, double weight, DataType type) {
        return new PenaltyGraph(new PenaltySpec(penalty, target, weight, EPS, false), type, UNITS);
    }

    /** Returns means spread over the valid range, with both ends and a value that float32 rounding put above 1. */
    private static INDArray means(boolean tanh, DataType type) {
        double[] unit = {0.0, 0.03, 0.1, 0.35, 0.8, 1.0, 1.0000001};
        INDArray row = Nd4j.createFromArray(new double[][] {unit}).castTo(type);
        return tanh ? row.mul(2.0).subi(1.0) : row;
    }

    @ParameterizedTest(name = "{0}, tanh {1}, {2}")
    @MethodSource("settings")
    void replayMatchesSession(SparsityPenalty penalty, boolean tanh, DataType type) {
        PenaltyGraph graph = new PenaltyGraph(new PenaltySpec(penalty, 0.1, 1.7, EPS, tanh), type, UNITS);
        INDArray means = means(tanh, type);

        PenaltyGraph.Evaluation replayed = graph.evaluateMean(means, null, 0.0, true);
        INDArray mapped = sessionInput(graph, penalty, tanh, means);
        SameDiff sd = graph.sameDiff();
        OutAndGrad session = sd.calculateGradientsAndOutputs(Map.of(PenaltyGraph.BATCH_MEAN, mapped),
                List.of(PenaltyGraph.PENALTY), List.of(PenaltyGraph.BATCH_MEAN));
        double scale = (tanh ? 0.5 : 1.0) * (penalty == SparsityPenalty.KL ? 1.0 - 2.0 * EPS : 1.0);
        double offset = penalty == SparsityPenalty.KL ? 1.7 * UNITS * -entropy(0.1) : 0.0;

        // With the gradient, the value is beta times the gradient op's weight gradient: beta multiplies the sum.
        double loss = session.getOutputs().get(PenaltyGraph.PENALTY).getDouble(0);
        assertEquals(loss + offset, replayed.value(), sumTolerance(type, loss));
        assertArrayEquals(session.getGradients().get(PenaltyGraph.BATCH_MEAN).mul(scale).toDoubleVector(),
                replayed.gradient().toDoubleVector(), 0.0);
        PenaltyGraph.Evaluation valueOnly = graph.evaluateMean(means, null, 0.0, false);
        assertEquals(loss + offset, valueOnly.value(), 0.0);
    }

    /** Returns the rounding allowed between two ways of summing the penalty's terms: 8 machine epsilons, relative. */
    private static double sumTolerance(DataType type, double sum) {
        return 8.0 * Math.abs(sum) * (type == DataType.FLOAT ? Math.ulp(1.0f) : Math.ulp(1.0));
    }

    @ParameterizedTest(name = "{0}, tanh {1}, {2}")
    @MethodSource("settings")
    void replayMatchesGraphWithEveryOpInside(SparsityPenalty penalty, boolean tanh, DataType type) {
        PenaltySpec spec = new PenaltySpec(penalty, 0.1, 1.7, EPS, tanh);
        // Interior means only: at q = 1 the float32 KL term depends on how the shift and squeeze round, and the two
        // graphs round them in a different order.
        INDArray means = means(tanh, type).get(NDArrayIndex.all(),
                NDArrayIndex.interval(0, 5));

        PenaltyGraph.Evaluation replayed = new PenaltyGraph(spec, type, 5).evaluateMean(means, null, 0.0, true);
        // The first minibatch of a moving average is qhat = q, and its graph computes the shift and the squeeze as ops.
        PenaltyGraph.Evaluation inside = new PenaltyGraph(spec, type, 5, true).evaluateMean(means, null, 0.9, true);

        double tolerance = type == DataType.DOUBLE ? 1e-9 : 1e-4;
        assertEquals(inside.value(), replayed.value(), tolerance * Math.max(1.0, Math.abs(inside.value())));
        double[] expected = inside.gradient().toDoubleVector();
        double[] actual = replayed.gradient().toDoubleVector();
        for (int j = 0; j < expected.length; j++) {
            assertEquals(expected[j], actual[j], tolerance * Math.max(1.0, Math.abs(expected[j])), "unit " + j);
        }
        assertArrayEquals(inside.batchMean().toDoubleVector(), replayed.batchMean().toDoubleVector(), 1e-6);
    }

    @Test
    void resultsSurviveTheNextCall() {
        PenaltyGraph graph = sigmoidGraph(SparsityPenalty.KL, 0.1, 1.0, DataType.FLOAT);
        PenaltyGraph.Evaluation first = graph.evaluateMean(means(false, DataType.FLOAT), null, 0.0, true);
        double[] gradient = first.gradient().toDoubleVector();

        graph.evaluateMean(Nd4j.valueArrayOf(new long[] {1, UNITS}, 0.5, DataType.FLOAT), null, 0.0, true);

        assertArrayEquals(gradient, first.gradient().toDoubleVector(), 0.0);
    }

    @Test
    void gradientScaleMultipliesTheGradientOnly() {
        PenaltyGraph graph = sigmoidGraph(SparsityPenalty.KL, 0.1, 1.0, DataType.DOUBLE);
        INDArray means = means(false, DataType.DOUBLE);

        PenaltyGraph.Evaluation plain = graph.evaluateMean(means, null, 0.0, true);
        PenaltyGraph.Evaluation scaled = graph.evaluateMean(means, null, 0.0, true, 2.5);

        assertEquals(plain.value(), scaled.value(), 0.0);
        assertArrayEquals(plain.gradient().mul(2.5).toDoubleVector(), scaled.gradient().toDoubleVector(), 1e-12);
    }

    @ParameterizedTest(name = "{0}, tanh {1}, {2}")
    @MethodSource("settings")
    void intoMatchesEvaluateMean(SparsityPenalty penalty, boolean tanh, DataType type) {
        PenaltyGraph graph = new PenaltyGraph(new PenaltySpec(penalty, 0.1, 1.7, EPS, tanh), type, UNITS);
        INDArray means = means(tanh, type);
        double[] meansBefore = means.toDoubleVector();
        PenaltyGraph.Evaluation expected = graph.evaluateMean(means, null, 0.0, true, 2.5);
        INDArray gradient = Nd4j.create(type, 1, UNITS);

        double value = graph.evaluateMeanInto(means, 2.5, gradient);

        assertEquals(expected.value(), value, 0.0);
        assertArrayEquals(expected.gradient().toDoubleVector(), gradient.toDoubleVector(), 0.0);
        assertArrayEquals(meansBefore, means.toDoubleVector(), 0.0);
    }

    @ParameterizedTest(name = "{0}, tanh {1}, {2}")
    @MethodSource("settings")
    void viewsMatchPlainRows(SparsityPenalty penalty, boolean tanh, DataType type) {
        PenaltyGraph graph = new PenaltyGraph(new PenaltySpec(penalty, 0.1, 1.7, EPS, tanh), type, UNITS);
        INDArray plainMeans = means(tanh, type);
        INDArray plainGradient = Nd4j.create(type, 1, UNITS);
        // Second rows of [2, n] arrays: views with an offset, which the graph maps with ND4J ops, not in Java.
        INDArray meansView = Nd4j.vstack(plainMeans.mul(0.5), plainMeans).getRow(1, true);
        INDArray gradientView = Nd4j.create(type, 2, UNITS).getRow(1, true);

        double plainValue = graph.evaluateMeanInto(plainMeans, 2.5, plainGradient);
        double viewValue = graph.evaluateMeanInto(meansView, 2.5, gradientView);

        assertEquals(plainValue, viewValue, 0.0);
        assertArrayEquals(plainGradient.toDoubleVector(), gradientView.toDoubleVector(), 0.0);
    }

    @Test
    void intoRejectsMeansOfAnotherWidth() {
        PenaltyGraph graph = sigmoidGraph(SparsityPenalty.KL, 0.1, 1.0, DataType.FLOAT);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> graph.evaluateMeanInto(Nd4j.create(DataType.FLOAT, 1, UNITS + 1), 1.0,
                        Nd4j.create(DataType.FLOAT, 1, UNITS + 1)));

        assertEquals("Invalid means shape [1, 8]: expected 7 values, one mean per unit", error.getMessage());
    }

    @Test
    void intoRejectsNonFiniteGradientScale() {
        PenaltyGraph graph = sigmoidGraph(SparsityPenalty.KL, 0.1, 1.0, DataType.FLOAT);
        INDArray means = means(false, DataType.FLOAT);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> graph.evaluateMeanInto(means, Double.NaN, Nd4j.create(DataType.FLOAT, 1, UNITS)));

        assertEquals("Invalid gradientScale = NaN: expected a finite number", error.getMessage());
    }

    @Test
    void intoRejectsGraphsWithoutAReplay() {
        PenaltySpec kl = new PenaltySpec(SparsityPenalty.KL, 0.1, 1.0, EPS, false);
        PenaltySpec l1 = new PenaltySpec(SparsityPenalty.L1, 0.1, 1.0, EPS, false);
        INDArray means = means(false, DataType.DOUBLE);
        INDArray gradient = Nd4j.create(DataType.DOUBLE, 1, UNITS);
        String message = "evaluateMeanInto is defined only for a KL, MSE or MAE graph without a moving average; use "
                + "evaluateMean";

        for (PenaltyGraph graph : List.of(new PenaltyGraph(kl, DataType.DOUBLE, UNITS, true),
                new PenaltyGraph(l1, DataType.DOUBLE, UNITS))) {
            UnsupportedOperationException error = assertThrows(UnsupportedOperationException.class,
                    () -> graph.evaluateMeanInto(means, 1.0, gradient));
            assertEquals(message, error.getMessage());
        }
    }

    @Test
    void intoRejectsWrongGradientArray() {
        PenaltyGraph graph = sigmoidGraph(SparsityPenalty.KL, 0.1, 1.0, DataType.FLOAT);
        INDArray means = means(false, DataType.FLOAT);

        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> graph.evaluateMeanInto(means, 1.0, Nd4j.create(DataType.FLOAT, 2, UNITS)));
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> graph.evaluateMeanInto(means, 1.0, Nd4j.create(DataType.DOUBLE, 1, UNITS)));

        assertEquals("Invalid gradient array: shape [2, 7] and type FLOAT, expected shape [1, 7] and type FLOAT",
                shape.getMessage());
        assertEquals("Invalid gradient array: shape [1, 7] and type DOUBLE, expected shape [1, 7] and type FLOAT",
                type.getMessage());
    }

    @Test
    void valueWithoutGradientMatchesValueWithGradient() {
        PenaltyGraph graph = sigmoidGraph(SparsityPenalty.MSE, 0.2, 3.0, DataType.DOUBLE);
        INDArray means = means(false, DataType.DOUBLE);

        PenaltyGraph.Evaluation withGradient = graph.evaluateMean(means, null, 0.0, true);
        PenaltyGraph.Evaluation valueOnly = graph.evaluateMean(means, null, 0.0, false);

        assertEquals(valueOnly.value(), withGradient.value(), sumTolerance(DataType.DOUBLE, valueOnly.value()));
        assertNull(valueOnly.gradient());
    }

    @ParameterizedTest(name = "{0}, tanh {1}, {2}")
    @MethodSource("settings")
    void trainingReplayRunsOnlyTheGradientOp(SparsityPenalty penalty, boolean tanh, DataType type) {
        PenaltyGraph graph = new PenaltyGraph(new PenaltySpec(penalty, 0.1, 1.7, EPS, tanh), type, UNITS);

        assertEquals(1, graph.replayedOpCount(true));
        assertEquals(1, graph.replayedOpCount(false));
    }

    @Test
    void lossAndGradientTakeTwoOps() {
        SameDiff sd = SameDiff.create();
        SDVariable input = sd.placeHolder("in", DataType.DOUBLE, 1, 3);
        SDVariable target = sd.constant("target", Nd4j.valueArrayOf(new long[] {1, 3}, 0.1, DataType.DOUBLE));
        sd.setLossVariables(sd.loss().logLoss("loss", target, input, null,
                LossReduce.SUM, 0.0));
        GradientFunctionBuilder.create(sd, "in");
        SameDiff gradient = sd.getFunction("grad");
        INDArray placeholder = Nd4j.createFromArray(new double[][] {{0.2, 0.5, 0.9}});

        OpReplay replay = new OpReplay(gradient, "in", placeholder, List.of("loss", "in-grad"));
        replay.run();

        assertEquals(2, replay.opCount());
        INDArray expected = sd.calculateGradients(Map.of("in", placeholder), "in").get("in");
        assertArrayEquals(expected.toDoubleVector(), replay.array("in-grad").toDoubleVector(), 0.0);
    }

    @Test
    void legacyOpRejected() {
        SameDiff sd = SameDiff.create();
        SDVariable input = sd.placeHolder("in", DataType.DOUBLE, 1, 3);
        input.mul("doubled", 2.0);

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> new OpReplay(sd, "in", Nd4j.zeros(DataType.DOUBLE, 1, 3), List.of("doubled")));

        assertTrue(error.getMessage().startsWith("Cannot replay the graph: op '"), error.getMessage());
        assertTrue(error.getMessage().endsWith("(mul_scalar) is not a custom op"), error.getMessage());
    }

    @Test
    void secondPlaceholderRejected() {
        SameDiff sd = SameDiff.create();
        SDVariable first = sd.placeHolder("first", DataType.DOUBLE, 1, 3);
        SDVariable second = sd.placeHolder("second", DataType.DOUBLE, 1, 3);
        sd.math().max("larger", first, second);

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> new OpReplay(sd, "first", Nd4j.zeros(DataType.DOUBLE, 1, 3), List.of("larger")));

        assertEquals("Cannot replay the graph: variable 'second' is a second placeholder, and only 'first' receives "
                + "a value", error.getMessage());
    }

    /**
     * Maps means as the class doc of {@link PenaltyGraph} states: the KL clamp at 1, then
     * {@code (q + offset) * scale + shift} with the tanh shift and the KL squeeze combined.
     */
    private static INDArray sessionInput(PenaltyGraph graph, SparsityPenalty penalty, boolean tanh, INDArray means) {
        INDArray mapped = means.castTo(graph.dataType()).dup();
        if (penalty == SparsityPenalty.KL) {
            for (int j = 0; j < mapped.length(); j++) {
                mapped.putScalar(j, Math.min(mapped.getDouble(j), 1.0));
            }
        }
        double scale = (penalty == SparsityPenalty.KL ? 1.0 - 2.0 * EPS : 1.0) * (tanh ? 0.5 : 1.0);
        return mapped.addi(tanh ? 1.0 : 0.0).muli(scale).addi(penalty == SparsityPenalty.KL ? EPS : 0.0);
    }

    private static double entropy(double p) {
        return -(p * Math.log(p) + (1.0 - p) * Math.log(1.0 - p));
    }
}
