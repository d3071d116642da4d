package io.github.dl4jsparsity.data;

import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Random;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Mini-batch iterator for autoencoder training over an in-memory image matrix: each {@link DataSet} has the same
 * rows as features and as labels, so the network learns to reconstruct its input.
 *
 * <p>The source matrix has shape [N, P] (one image per row, for Fashion-MNIST P = 784 pixels scaled to [0, 1]).
 * Each batch has shape [B, P] with B = {@code batchSize}, except that the last batch of an epoch contains the
 * remaining {@code N mod batchSize} rows when N is not a multiple of the batch size. Features and labels are
 * separate copies of the selected rows, so the source matrix and the two arrays never share memory.
 *
 * <p>With shuffling on, the rows of each epoch come in a new random order drawn from a {@link Random} seeded with
 * {@code seed}, so the same seed gives the same sequence of epochs. {@link #reset()} draws the next order only if a
 * batch was read since the last one was drawn, so extra resets between epochs do not change the sequence.
 *
 * <p>DL4J's {@code ListDataSetIterator} and {@code INDArrayDataSetIterator} (1.0.0-M2.1) only rewind on reset and
 * never reorder, which is why this class exists. It is not thread-safe.
 */
public final class AutoencoderDataSetIterator implements DataSetIterator {

    private static final long serialVersionUID = 1L;

    private final INDArray images;
    private final int batchSize;
    private final boolean shuffle;
    private final Random random;
    private final int[] order;
    private int cursor;
    private boolean orderUsed;
    private DataSetPreProcessor preProcessor;

    /**
     * Creates an iterator positioned at the start of the first epoch.
     *
     * @param images    matrix of shape [N, P] with N at least 1, one example per row. The iterator reads it at every
     *                  batch, so it must not be modified while the iterator is in use.
     * @param batchSize rows per batch, at least 1
     * @param seed      seed of the random generator for the row order; unused when {@code shuffle} is false
     * @param shuffle   whether to visit the rows in a new random order each epoch, or in row order
     * @throws IllegalArgumentException if {@code images} is not a non-empty matrix or {@code batchSize} is below 1
     */
    public AutoencoderDataSetIterator(INDArray images, int batchSize, long seed, boolean shuffle) {
        Objects.requireNonNull(images, "images");
        if (images.rank() != 2 || images.rows() < 1) {
            throw new IllegalArgumentException("images must be a matrix [N, P] with N >= 1, got shape "
                    + Arrays.toString(images.shape()));
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        this.images = images;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.random = new Random(seed);
        this.order = new int[images.rows()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            shuffleOrder();
        }
    }

    /** Number of examples per epoch. */
    public int numExamples() {
        return order.length;
    }

    @Override
    public boolean hasNext() {
        return cursor < order.length;
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    /**
     * Returns the next {@code num} examples of the epoch, or fewer at the end of the epoch.
     *
     * @param num number of examples, at least 1
     * @throws NoSuchElementException   if the epoch has no examples left
     * @throws IllegalArgumentException if {@code num} is below 1
     */
    @Override
    public DataSet next(int num) {
        if (num < 1) {
            throw new IllegalArgumentException("num must be at least 1, got " + num);
        }
        if (!hasNext()) {
            throw new NoSuchElementException("Epoch finished after " + order.length + " examples; call reset()");
        }
        int end = Math.min(cursor + num, order.length);
        int[] rows = Arrays.copyOfRange(order, cursor, end);
        cursor = end;
        orderUsed = true;

        // getRows copies, so in-place changes to features (for example by a pre-processor) leave labels alone.
        INDArray features = images.getRows(rows);
        INDArray labels = images.getRows(rows);
        DataSet batch = new DataSet(features, labels);
        if (preProcessor != null) {
            preProcessor.preProcess(batch);
        }
        return batch;
    }

    @Override
    public int inputColumns() {
        return (int) images.columns();
    }

    @Override
    public int totalOutcomes() {
        return (int) images.columns();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    /** Returns false because the data is already in memory, so prefetching on another thread gains nothing. */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    /** Rewinds to the start of the next epoch, drawing a new row order when shuffling is on and a batch was read. */
    @Override
    public void reset() {
        if (shuffle && orderUsed) {
            shuffleOrder();
        }
        cursor = 0;
        orderUsed = false;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    /** Returns null because the labels are reconstruction targets, not named classes. */
    @Override
    public List<String> getLabels() {
        return null;
    }

    @Override
    public void remove() {
        throw new UnsupportedOperationException("remove is not supported");
    }

    /** Fisher-Yates shuffle of the current order. */
    private void shuffleOrder() {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
    }
}
