package io.github.dl4jsparsity.penalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import io.github.dl4jsparsity.testutil.ClosedForm;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/** The penalty added to a plain SameDiff model: loss, gradients against finite differences, and training. */
class SparsityPenaltiesTest {

    private static final double EPS = 1e-7;
    private static final PenaltySpec KL = new PenaltySpec(SparsityPenalty.KL, 0.1, 2.0, EPS, false);

    /** Tiny autoencoder 4 -> 3 (sigmoid) -> 4 with mean squared error and the penalty on the coding layer. */
    private static SameDiff model(SDVariable[] codingOut) {
        SameDiff sd = SameDiff.create();
        Nd4j.getRandom().setSeed(5);
        SDVariable input = sd.placeHolder("input", DataType.DOUBLE, -1, 4);
        SDVariable label = sd.placeHolder("label", DataType.DOUBLE, -1, 4);
        SDVariable w1 = sd.var("w1", Nd4j.rand(DataType.DOUBLE, 4, 3).subi(0.5));
        SDVariable b1 = sd.var("b1", Nd4j.zeros(DataType.DOUBLE, 1, 3));
        SDVariable w2 = sd.var("w2", Nd4j.rand(DataType.DOUBLE, 3, 4).subi(0.5));
        SDVariable coding = sd.nn().sigmoid("coding", input.mmul(w1).add(b1));
        SDVariable output = coding.mmul(w2);
        sd.loss().meanSquaredError("mse", label, output, null);
        codingOut[0] = coding;
        return sd;
    }

    private static INDArray features(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, 6, 4);
    }

    private static double totalLoss(SameDiff sd, Map<String, INDArray> inputs, String penaltyName) {
        Map<String, INDArray> out = sd.output(inputs, "mse", penaltyName);
        return out.get("mse").getDouble(0) + out.get(penaltyName).getDouble(0);
    }

    @Test
    void penaltyMatchesClosedForm() {
        SDVariable[] coding = new SDVariable[1];
        SameDiff sd = model(coding);
        SDVariable penalty = SparsityPenalties.addTo(sd, coding[0], 3, KL);
        INDArray x = features(1);
        Map<String, INDArray> inputs = Map.of("input", x, "label", x);

        Map<String, INDArray> out = sd.output(inputs, "coding", penalty.name());

        double expected = ClosedForm.klPenalty(out.get("coding").toDoubleMatrix(), 0.1, 2.0, EPS);
        assertEquals(expected, out.get(penalty.name()).getDouble(0), 1e-12);
        assertTrue(sd.getLossVariables().contains(penalty.name()), "loss variables " + sd.getLossVariables());
        assertTrue(sd.getLossVariables().contains("mse"), "loss variables " + sd.getLossVariables());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        SDVariable[] coding = new SDVariable[1];
        SameDiff sd = model(coding);
        SDVariable penalty = SparsityPenalties.addTo(sd, coding[0], 3, KL);
        INDArray x = features(2);
        Map<String, INDArray> inputs = Map.of("input", x, "label", x);

        Map<String, INDArray> gradients = sd.calculateGradients(inputs, "w1", "b1");

        double h = 1e-6;
        for (String name : new String[] {"w1", "b1"}) {
            INDArray param = sd.getVariable(name).getArr();
            INDArray analytic = gradients.get(name);
            for (int i = 0; i < param.length(); i++) {
                double original = param.getDouble(i);
                param.putScalar(i, original + h);
                double plus = totalLoss(sd, inputs, penalty.name());
                param.putScalar(i, original - h);
                double minus = totalLoss(sd, inputs, penalty.name());
                param.putScalar(i, original);
                assertEquals((plus - minus) / (2 * h), analytic.getDouble(i), 1e-6, name + "[" + i + "]");
            }
        }
    }

    @Test
    void trainingIncludesAndLowersPenalty() {
        SDVariable[] coding = new SDVariable[1];
        SameDiff sd = model(coding);
        SDVariable penalty = SparsityPenalties.addTo(sd, coding[0], 3, KL);
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Sgd(0.5)).dataSetFeatureMapping("input")
                .dataSetLabelMapping("label").build());
        INDArray x = features(3);
        Map<String, INDArray> inputs = Map.of("input", x, "label", x);
        double before = sd.output(inputs, penalty.name()).get(penalty.name()).getDouble(0);

        for (int step = 0; step < 20; step++) {
            sd.fit(new DataSet(x, x));
        }

        double after = sd.output(inputs, penalty.name()).get(penalty.name()).getDouble(0);
        assertTrue(after < before, "penalty before " + before + ", after " + after);
    }

    @Test
    void singleExampleWorks() {
        SDVariable[] coding = new SDVariable[1];
        SameDiff sd = model(coding);
        SDVariable penalty = SparsityPenalties.addTo(sd, coding[0], 3, KL);
        INDArray x = features(4).getRow(0, true);

        Map<String, INDArray> out = sd.output(Map.of("input", x, "label", x), "coding", penalty.name());

        double expected = ClosedForm.klPenalty(out.get("coding").toDoubleMatrix(), 0.1, 2.0, EPS);
        assertEquals(expected, out.get(penalty.name()).getDouble(0), 1e-12);
    }

    @Test
    void placeholderShapeGivesUnits() {
        SameDiff sd = SameDiff.create();
        SDVariable activations = sd.placeHolder("activations", DataType.DOUBLE, -1, 2);
        SDVariable penalty = SparsityPenalties.addTo(sd, activations, KL);
        double[][] a = {{0.2, 0.5}, {0.0, 0.1}};

        INDArray value = sd.output(Map.of("activations", Nd4j.createFromArray(a)), penalty.name())
                .get(penalty.name());

        assertEquals(ClosedForm.klPenalty(a, 0.1, 2.0, EPS), value.getDouble(0), 1e-12);
    }

    @Test
    void rankThreeActivationsRejected() {
        SameDiff sd = SameDiff.create();
        SDVariable sequence = sd.placeHolder("sequence", DataType.DOUBLE, -1, 3, 5);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SparsityPenalties.addTo(sd, sequence, KL));

        assertEquals("Invalid activations shape [-1, 3, 5] of variable 'sequence': addTo needs rank-2 activations "
                + "[minibatch, units] with a known number of units; pass the number of units with addTo(sd, "
                + "activations, units, spec), and reshape rank-3 or rank-4 activations to [rows, units] first",
                error.getMessage());
    }
}
