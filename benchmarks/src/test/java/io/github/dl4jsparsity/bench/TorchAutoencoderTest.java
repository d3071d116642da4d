package io.github.dl4jsparsity.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Checks the PyTorch autoencoder runs offline and trains, with and without the KL penalty. */
class TorchAutoencoderTest {

    private static final int MINIBATCH = 32;
    private static final int CODING_UNITS = 300;

    private static float[] inputValues() {
        return Autoencoders.input(MINIBATCH, 5, DataType.FLOAT).ravel().toFloatVector();
    }

    @Test
    void penaltyRaisesFirstLoss() {
        float plainLoss;
        float penalizedLoss;
        try (TorchAutoencoder plain = new TorchAutoencoder(CODING_UNITS, false)) {
            plainLoss = plain.trainStep(plain.input(inputValues(), MINIBATCH));
        }
        try (TorchAutoencoder penalized = new TorchAutoencoder(CODING_UNITS, true)) {
            penalizedLoss = penalized.trainStep(penalized.input(inputValues(), MINIBATCH));
        }

        assertTrue(Float.isFinite(plainLoss), "plain loss " + plainLoss + " should be finite");
        assertTrue(Float.isFinite(penalizedLoss), "penalized loss " + penalizedLoss + " should be finite");
        // Both networks start from the same seeded weights, so the difference is the KL penalty, which is > 0
        // unless every mean activation equals the target.
        assertTrue(penalizedLoss > plainLoss, "penalized loss " + penalizedLoss + " should exceed " + plainLoss);
    }

    @Test
    void penalizedTrainingLowersLoss() {
        try (TorchAutoencoder network = new TorchAutoencoder(CODING_UNITS, true)) {
            var input = network.input(inputValues(), MINIBATCH);
            float first = network.trainStep(input);
            float last = first;
            for (int step = 0; step < 50; step++) {
                last = network.trainStep(input);
            }

            assertTrue(last < first, "loss after 50 steps " + last + " should be below the first " + first);
        }
    }
}
