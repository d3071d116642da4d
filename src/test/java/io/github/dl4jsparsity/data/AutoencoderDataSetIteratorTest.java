package io.github.dl4jsparsity.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class AutoencoderDataSetIteratorTest {

    /** Matrix [rows, 3] whose row i is {i, i + 0.5, -i}, so a batch row identifies its source row. */
    private static INDArray numberedRows(int rows) {
        INDArray matrix = Nd4j.create(DataType.FLOAT, rows, 3);
        for (int i = 0; i < rows; i++) {
            matrix.putScalar(i, 0, i);
            matrix.putScalar(i, 1, i + 0.5);
            matrix.putScalar(i, 2, -i);
        }
        return matrix;
    }

    /** Reads one epoch and returns the source row of every example, in order. */
    private static List<Integer> epochOrder(AutoencoderDataSetIterator iterator) {
        List<Integer> order = new ArrayList<>();
        while (iterator.hasNext()) {
            INDArray features = iterator.next().getFeatures();
            for (int row = 0; row < features.rows(); row++) {
                order.add(features.getInt(row, 0));
            }
        }
        return order;
    }

    private static List<Integer> range(int count) {
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(i);
        }
        return values;
    }

    @Test
    void batchesHaveRequestedSizes() {
        AutoencoderDataSetIterator iterator = new AutoencoderDataSetIterator(numberedRows(10), 4, 1L, true);

        List<Integer> sizes = new ArrayList<>();
        while (iterator.hasNext()) {
            sizes.add(iterator.next().numExamples());
        }

        assertEquals(List.of(4, 4, 2), sizes);
        assertEquals(4, iterator.batch());
        assertEquals(3, iterator.inputColumns());
        assertEquals(3, iterator.totalOutcomes());
        assertEquals(10, iterator.numExamples());
    }

    @Test
    void featuresEqualLabelsAsSeparateArrays() {
        INDArray images = numberedRows(6);
        AutoencoderDataSetIterator iterator = new AutoencoderDataSetIterator(images, 6, 1L, true);

        DataSet batch = iterator.next();

        assertEquals(batch.getFeatures(), batch.getLabels());
        assertNotSame(batch.getFeatures(), batch.getLabels());
        batch.getFeatures().addi(100);
        assertEquals(numberedRows(6), images);
        assertTrue(batch.getLabels().maxNumber().doubleValue() < 100);
        int first = batch.getLabels().getInt(0, 0);
        assertEquals(first + 0.5f, batch.getLabels().getFloat(0, 1));
        assertEquals(-first, batch.getLabels().getFloat(0, 2));
    }

    @Test
    void unshuffledEpochsFollowRowOrder() {
        AutoencoderDataSetIterator iterator = new AutoencoderDataSetIterator(numberedRows(7), 3, 1L, false);

        List<Integer> first = epochOrder(iterator);
        iterator.reset();
        List<Integer> second = epochOrder(iterator);

        assertEquals(range(7), first);
        assertEquals(range(7), second);
    }

    @Test
    void shuffledEpochsArePermutations() {
        AutoencoderDataSetIterator iterator = new AutoencoderDataSetIterator(numberedRows(50), 8, 42L, true);

        List<Integer> first = epochOrder(iterator);
        iterator.reset();
        List<Integer> second = epochOrder(iterator);

        assertNotEquals(range(50), first);
        assertNotEquals(first, second);
        List<Integer> sortedFirst = new ArrayList<>(first);
        List<Integer> sortedSecond = new ArrayList<>(second);
        sortedFirst.sort(null);
        sortedSecond.sort(null);
        assertEquals(range(50), sortedFirst);
        assertEquals(range(50), sortedSecond);
    }

    @Test
    void sameSeedGivesSameEpochs() {
        AutoencoderDataSetIterator a = new AutoencoderDataSetIterator(numberedRows(30), 7, 5L, true);
        AutoencoderDataSetIterator b = new AutoencoderDataSetIterator(numberedRows(30), 7, 5L, true);
        AutoencoderDataSetIterator other = new AutoencoderDataSetIterator(numberedRows(30), 7, 6L, true);

        List<Integer> firstA = epochOrder(a);
        List<Integer> firstOther = epochOrder(other);
        a.reset();
        List<Integer> secondA = epochOrder(a);

        assertEquals(firstA, epochOrder(b));
        b.reset();
        assertEquals(secondA, epochOrder(b));
        assertNotEquals(firstA, firstOther);
    }

    @Test
    void resetBeforeReadingKeepsOrder() {
        AutoencoderDataSetIterator reference = new AutoencoderDataSetIterator(numberedRows(20), 5, 9L, true);
        AutoencoderDataSetIterator resetTwice = new AutoencoderDataSetIterator(numberedRows(20), 5, 9L, true);

        resetTwice.reset();
        resetTwice.reset();

        assertEquals(epochOrder(reference), epochOrder(resetTwice));
    }

    @Test
    void resetMidEpochStartsNewOrder() {
        AutoencoderDataSetIterator iterator = new AutoencoderDataSetIterator(numberedRows(20), 5, 9L, true);
        iterator.next();

        iterator.reset();

        assertEquals(20, epochOrder(iterator).size());
        assertFalse(iterator.hasNext());
    }

    @Test
    void nextAfterEpochThrows() {
        AutoencoderDataSetIterator iterator = new AutoencoderDataSetIterator(numberedRows(2), 2, 1L, false);
        iterator.next();

        NoSuchElementException e = assertThrows(NoSuchElementException.class, iterator::next);

        assertEquals("Epoch finished after 2 examples; call reset()", e.getMessage());
    }

    @Test
    void preProcessorAppliedToBatch() {
        AutoencoderDataSetIterator iterator = new AutoencoderDataSetIterator(numberedRows(3), 3, 1L, false);
        iterator.setPreProcessor(batch -> batch.getFeatures().muli(2));

        DataSet batch = iterator.next();

        assertEquals(4.0f, batch.getFeatures().getFloat(2, 0));
        assertEquals(2.0f, batch.getLabels().getFloat(2, 0));
    }

    @Test
    void invalidArgumentsRejected() {
        INDArray vector = Nd4j.create(DataType.FLOAT, 5);
        INDArray matrix = numberedRows(3);

        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> new AutoencoderDataSetIterator(vector, 2, 1L, true));
        IllegalArgumentException batchSize = assertThrows(IllegalArgumentException.class,
                () -> new AutoencoderDataSetIterator(matrix, 0, 1L, true));
        IllegalArgumentException num = assertThrows(IllegalArgumentException.class,
                () -> new AutoencoderDataSetIterator(matrix, 2, 1L, true).next(0));

        assertEquals("images must be a matrix [N, P] with N >= 1, got shape [5]", shape.getMessage());
        assertEquals("batchSize must be at least 1, got 0", batchSize.getMessage());
        assertEquals("num must be at least 1, got 0", num.getMessage());
    }

    @Test
    void networkTrainsOnIterator() {
        INDArray images = Nd4j.rand(DataType.FLOAT, 40, 6);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(3)
                .updater(new Sgd(0.5))
                .list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(3).activation(Activation.SIGMOID).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(6)
                        .activation(Activation.SIGMOID).build())
                .build();
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        AutoencoderDataSetIterator iterator = new AutoencoderDataSetIterator(images, 8, 11L, true);
        double before = network.score(new DataSet(images, images));

        network.fit(iterator, 20);

        double after = network.score(new DataSet(images, images));
        assertTrue(after < before, "score before " + before + ", after " + after);
        assertArrayEquals(new long[] {40, 6}, network.output(images).shape());
        assertFalse(iterator.hasNext());
    }
}
