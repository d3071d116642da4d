package io.github.dl4jsparsity.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.dl4jsparsity.layers.SparsityLayerImpl;
import io.github.dl4jsparsity.penalty.PenaltyGraph;
import io.github.dl4jsparsity.penalty.PenaltySpec;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks that the closed-form floor computes the same penalty, score and parameter gradients as the library's
 * SameDiff wrapper on the benchmarked autoencoder, so the floor measures the same work.
 */
class ClosedFormKlEquivalenceTest {

    private static final int CODING_UNITS = 300;
    private static final int MINIBATCH = 32;
    private static final double TOLERANCE = 1e-5;

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void penaltyMatchesGraph(DataType dataType) {
        PenaltySpec spec = new PenaltySpec(SparsityPenalty.KL, Autoencoders.TARGET, Autoencoders.WEIGHT,
                Autoencoders.EPSILON, false);
        Nd4j.getRandom().setSeed(7);
        INDArray activations = Nd4j.rand(dataType, MINIBATCH, CODING_UNITS);
        PenaltyGraph.ValueAndGradient expected = new PenaltyGraph(spec, dataType, CODING_UNITS)
                .valueAndGradient(activations);

        ClosedFormKl.Result actual = ClosedFormKl.valueAndGradientRow(activations, Autoencoders.TARGET,
                Autoencoders.WEIGHT, Autoencoders.EPSILON);

        assertEquals(expected.value(), actual.value(), TOLERANCE * Math.max(1.0, Math.abs(expected.value())));
        INDArray broadcast = Nd4j.zeros(dataType, MINIBATCH, CODING_UNITS).addiRowVector(actual.gradientRow());
        assertEquals(0.0, maxAbsDifference(expected.gradient(), broadcast), TOLERANCE);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void networkScoreAndGradientsMatch(DataType dataType) {
        MultiLayerNetwork library = Autoencoders.network(Autoencoders.Variant.LIBRARY, CODING_UNITS, dataType);
        MultiLayerNetwork floor = Autoencoders.network(Autoencoders.Variant.FLOOR, CODING_UNITS, dataType);
        assertEquals(0.0, maxAbsDifference(library.params(), floor.params()), 0.0, "initial parameters differ");
        INDArray input = Autoencoders.input(MINIBATCH, 11, dataType);

        library.setInput(input);
        library.setLabels(input);
        library.computeGradientAndScore();
        floor.setInput(input);
        floor.setLabels(input);
        floor.computeGradientAndScore();

        SparsityLayerImpl libraryLayer = assertInstanceOf(SparsityLayerImpl.class, library.getLayer(1));
        ClosedFormKlLayerImpl floorLayer = assertInstanceOf(ClosedFormKlLayerImpl.class, floor.getLayer(1));
        double penalty = libraryLayer.getScorePenalty();
        assertTrue(penalty > 0.0, "penalty " + penalty + " should be positive");
        assertEquals(penalty, floorLayer.scorePenalty(), TOLERANCE * Math.max(1.0, penalty));
        assertEquals(library.score(), floor.score(), TOLERANCE * Math.max(1.0, library.score()));

        INDArray libraryGradient = library.gradient().gradient();
        INDArray floorGradient = floor.gradient().gradient();
        double scale = Math.max(1.0, libraryGradient.amaxNumber().doubleValue());
        assertEquals(0.0, maxAbsDifference(libraryGradient, floorGradient), TOLERANCE * scale);
    }

    private static double maxAbsDifference(INDArray a, INDArray b) {
        assertEquals(a.length(), b.length(), "array lengths differ");
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }
}
