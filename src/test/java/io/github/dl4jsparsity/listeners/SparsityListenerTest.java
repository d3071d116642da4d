package io.github.dl4jsparsity.listeners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.github.dl4jsparsity.layers.SparsityLayerImpl;
import io.github.dl4jsparsity.testutil.Networks;
import io.github.dl4jsparsity.testutil.Networks.Settings;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.adapter.SingletonDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

class SparsityListenerTest {

    @BeforeAll
    static void useDoublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static DataSet data(int minibatch, long seed) {
        return new DataSet(Networks.input(minibatch, seed, DataType.DOUBLE),
                Networks.labels(minibatch, seed, DataType.DOUBLE));
    }

    @Test
    void iterationRecordsMatchLayer() {
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.multiLayer(Settings.defaults()
                .withUpdater(new Adam(0.01))));
        net.init();
        SparsityListener listener = new SparsityListener(SparsityListener.Frequency.ITERATION, 1, 0.05);
        net.setListeners(listener);

        for (int step = 0; step < 3; step++) {
            net.fit(data(8, step));
        }

        List<SparsityRecord> records = listener.getRecords();
        assertEquals(3, records.size());
        SparsityRecord last = records.get(2);
        SparsityLayerImpl layer = (SparsityLayerImpl) net.getLayer(0);
        double[] q = layer.getLastMeanActivation().toDoubleVector();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        int near = 0;
        for (double value : q) {
            min = Math.min(min, value);
            max = Math.max(max, value);
            sum += value;
            near += Math.abs(value - 0.1) <= 0.05 ? 1 : 0;
        }
        assertEquals("layer0", last.layerName());
        assertEquals(2, last.iteration());
        assertEquals(0, last.epoch());
        assertEquals(layer.getScorePenalty(), last.penalty(), 0.0);
        assertEquals(min, last.minMean(), 0.0);
        assertEquals(max, last.maxMean(), 0.0);
        assertEquals(sum / q.length, last.meanMean(), 1e-15);
        assertEquals((double) near / q.length, last.shareNearTarget(), 0.0);
        assertTrue(last.penalty() > 0.0);
    }

    @Test
    void everyKthIterationOnly() {
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.multiLayer(Settings.defaults()));
        net.init();
        SparsityListener listener = new SparsityListener(SparsityListener.Frequency.ITERATION, 2, 1.0);
        net.setListeners(listener);

        for (int step = 0; step < 5; step++) {
            net.fit(data(4, step));
        }

        List<SparsityRecord> records = listener.getRecords();
        assertEquals(List.of(0, 2, 4), records.stream().map(SparsityRecord::iteration).toList());
        assertEquals(1.0, records.get(0).shareNearTarget(), 0.0);
    }

    @Test
    void epochRecordsOnGraph() {
        ComputationGraph net = new ComputationGraph(Networks.graph(Settings.defaults()));
        net.init();
        SparsityListener listener = new SparsityListener(SparsityListener.Frequency.EPOCH, 1, 0.0);
        net.setListeners(listener);

        net.fit(new SingletonDataSetIterator(data(6, 1)), 2);

        List<SparsityRecord> records = listener.getRecords();
        assertEquals(2, records.size());
        assertEquals("coding", records.get(0).layerName());
        assertEquals(List.of(0, 1), records.stream().map(SparsityRecord::epoch).toList());
        assertEquals(0.0, records.get(1).shareNearTarget(), 0.0);
        assertEquals(1, SparsityListener.sparsityLayers(net).size());
    }

    @Test
    void invalidSettingsRejected() {
        IllegalArgumentException every = assertThrows(IllegalArgumentException.class,
                () -> new SparsityListener(SparsityListener.Frequency.ITERATION, 0, 0.01));
        IllegalArgumentException tolerance = assertThrows(IllegalArgumentException.class,
                () -> new SparsityListener(SparsityListener.Frequency.EPOCH, 1, -0.5));

        assertEquals("Invalid every = 0: record every k iterations or epochs with k >= 1", every.getMessage());
        assertEquals("Invalid tolerance = -0.5: it must be a finite number >= 0", tolerance.getMessage());
    }
}
