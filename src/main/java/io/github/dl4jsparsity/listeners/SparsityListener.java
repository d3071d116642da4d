package io.github.dl4jsparsity.listeners;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.github.dl4jsparsity.layers.SparsityLayerImpl;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training listener that records, for every {@link SparsityLayerImpl} of a MultiLayerNetwork or ComputationGraph,
 * the penalty and a summary of the per-unit means q_j [1, n] of its last forward pass: min, mean and max over units,
 * and the share of units with {@code |q_j - p| <= tolerance}. See {@link SparsityRecord} for what q_j averages.
 *
 * <p>With {@link Frequency#ITERATION} it records after each iteration whose count is divisible by {@code every}; with
 * {@link Frequency#EPOCH} at the end of each epoch whose count (from 0) is divisible by {@code every}, from the last
 * forward pass of that epoch. Each record is also logged at INFO level through SLF4J, one line per layer.
 *
 * <pre>{@code
 * SparsityListener listener = new SparsityListener(SparsityListener.Frequency.ITERATION, 10, 0.02);
 * net.setListeners(listener);
 * net.fit(iterator, 5);
 * List<SparsityRecord> records = listener.getRecords();
 * }</pre>
 *
 * <p>NOTE: DL4J's StatsListener and UI storage live in deeplearning4j-ui, which this library does not depend on, so
 * the records are not written to a StatsStorage; pass them to your own storage from {@link #getRecords()}.
 */
public class SparsityListener extends BaseTrainingListener {

    private static final Logger log = LoggerFactory.getLogger(SparsityListener.class);

    /** When the listener records. */
    public enum Frequency {
        /** After training iterations. */
        ITERATION,
        /** At the end of epochs. */
        EPOCH
    }

    private final Frequency frequency;
    private final int every;
    private final double tolerance;
    private final List<SparsityRecord> records = Collections.synchronizedList(new ArrayList<>());

    /** Creates a listener that records after every iteration, with tolerance 0.01. */
    public SparsityListener() {
        this(Frequency.ITERATION, 1, 0.01);
    }

    /**
     * Creates a listener.
     *
     * @param frequency whether to record after iterations or at the end of epochs
     * @param every record every this many iterations or epochs, at least 1
     * @param tolerance half-width of the band around the target p in which a unit counts as near it, at least 0
     * @throws IllegalArgumentException if {@code every} is below 1 or the tolerance is negative or not finite
     */
    public SparsityListener(Frequency frequency, int every, double tolerance) {
        if (frequency == null) {
            throw new IllegalArgumentException("Missing frequency: pass Frequency.ITERATION or Frequency.EPOCH");
        }
        if (every < 1) {
            throw new IllegalArgumentException("Invalid every = " + every + ": record every k iterations or epochs "
                    + "with k >= 1");
        }
        if (!(tolerance >= 0.0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("Invalid tolerance = " + tolerance
                    + ": it must be a finite number >= 0");
        }
        this.frequency = frequency;
        this.every = every;
        this.tolerance = tolerance;
    }

    /** Returns the layers of a MultiLayerNetwork or ComputationGraph that are SparsityLayerImpl, in network order. */
    public static List<SparsityLayerImpl> sparsityLayers(Model model) {
        Layer[] layers;
        if (model instanceof MultiLayerNetwork network) {
            layers = network.getLayers();
        } else if (model instanceof ComputationGraph graph) {
            layers = graph.getLayers();
        } else {
            return List.of();
        }
        List<SparsityLayerImpl> found = new ArrayList<>();
        for (Layer layer : layers) {
            if (layer instanceof SparsityLayerImpl sparsity) {
                found.add(sparsity);
            }
        }
        return found;
    }

    /** Clears the moving average of every sparsity layer of a network; see SparsityLayerImpl#resetMovingAverage. */
    public static void resetMovingAverages(Model model) {
        for (SparsityLayerImpl layer : sparsityLayers(model)) {
            layer.resetMovingAverage();
        }
    }

    /** Returns a copy of the records so far, oldest first. */
    public List<SparsityRecord> getRecords() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    /** Removes all records. */
    public void clearRecords() {
        records.clear();
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        if (frequency == Frequency.ITERATION && iteration % every == 0) {
            record(model, iteration, epoch);
        }
    }

    @Override
    public void onEpochEnd(Model model) {
        if (frequency != Frequency.EPOCH) {
            return;
        }
        int epoch = epochCount(model);
        if (epoch % every == 0) {
            record(model, iterationCount(model), epoch);
        }
    }

    private void record(Model model, int iteration, int epoch) {
        for (SparsityLayerImpl layer : sparsityLayers(model)) {
            SparsityRecord entry = summarize(layer, iteration, epoch);
            records.add(entry);
            log.info("Sparsity of layer '{}' at iteration {}, epoch {}: penalty {}, q min {}, mean {}, max {}, "
                    + "share of units within {} of the target {}", entry.layerName(), iteration, epoch,
                    entry.penalty(), entry.minMean(), entry.meanMean(), entry.maxMean(), tolerance,
                    entry.shareNearTarget());
        }
    }

    private SparsityRecord summarize(SparsityLayerImpl layer, int iteration, int epoch) {
        String name = layer.getSparsityConfig().getLayerName();
        double penalty = layer.getScorePenalty();
        INDArray means = layer.getLastMeanActivation();
        if (means == null || means.length() == 0) {
            return new SparsityRecord(name, iteration, epoch, penalty, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN);
        }
        double[] q = means.toDoubleVector();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0.0;
        int near = 0;
        double target = layer.getSparsityConfig().getTarget();
        for (double value : q) {
            min = Math.min(min, value);
            max = Math.max(max, value);
            sum += value;
            if (Math.abs(value - target) <= tolerance) {
                near++;
            }
        }
        boolean hasTarget = layer.getSparsityConfig().getPenalty() != SparsityPenalty.L1;
        double share = hasTarget ? (double) near / q.length : Double.NaN;
        return new SparsityRecord(name, iteration, epoch, penalty, min, sum / q.length, max, share);
    }

    private static int iterationCount(Model model) {
        if (model instanceof MultiLayerNetwork network) {
            return network.getIterationCount();
        }
        return model instanceof ComputationGraph graph ? graph.getIterationCount() : 0;
    }

    private static int epochCount(Model model) {
        if (model instanceof MultiLayerNetwork network) {
            return network.getEpochCount();
        }
        return model instanceof ComputationGraph graph ? graph.getEpochCount() : 0;
    }
}
