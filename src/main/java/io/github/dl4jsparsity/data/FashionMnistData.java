package io.github.dl4jsparsity.data;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Loaded Fashion-MNIST images and labels, with the source they came from.
 *
 * <p>Images are float32 matrices of shape [N, 784]: one 28x28 image per row in row-major pixel order, each value the
 * 8-bit pixel intensity divided by 255, so in [0, 1]. Labels are class indices in [0, 9], one per image row.
 *
 * <p>Instances are immutable: the image and label accessors return copies. The iterator factories read the stored
 * images directly and copy each batch.
 */
public final class FashionMnistData {

    private final INDArray trainImages;
    private final int[] trainLabels;
    private final INDArray testImages;
    private final int[] testLabels;
    private final DataSourceKind sourceKind;
    private final Path sourceDirectory;
    private final String description;

    FashionMnistData(INDArray trainImages, int[] trainLabels, INDArray testImages, int[] testLabels,
                     DataSourceKind sourceKind, Path sourceDirectory, String description) {
        this.trainImages = Objects.requireNonNull(trainImages, "trainImages");
        this.trainLabels = Objects.requireNonNull(trainLabels, "trainLabels");
        this.testImages = Objects.requireNonNull(testImages, "testImages");
        this.testLabels = Objects.requireNonNull(testLabels, "testLabels");
        this.sourceKind = Objects.requireNonNull(sourceKind, "sourceKind");
        this.sourceDirectory = sourceDirectory;
        this.description = Objects.requireNonNull(description, "description");
    }

    /** Returns a copy of the training images, float32 of shape [trainCount, 784] with values in [0, 1]. */
    public INDArray trainImages() {
        return trainImages.dup();
    }

    /** Returns a copy of the training labels, one class index in [0, 9] per training image. */
    public int[] trainLabels() {
        return trainLabels.clone();
    }

    /** Returns a copy of the test images, float32 of shape [testCount, 784] with values in [0, 1]. */
    public INDArray testImages() {
        return testImages.dup();
    }

    /** Returns a copy of the test labels, one class index in [0, 9] per test image. */
    public int[] testLabels() {
        return testLabels.clone();
    }

    /** Number of training images after any cap. */
    public int trainCount() {
        return trainLabels.length;
    }

    /** Number of test images after any cap. */
    public int testCount() {
        return testLabels.length;
    }

    /** Kind of source the data was loaded from. */
    public DataSourceKind sourceKind() {
        return sourceKind;
    }

    /** Absolute directory the files were read from, or empty for the embedded subset. */
    public Optional<Path> sourceDirectory() {
        return Optional.ofNullable(sourceDirectory);
    }

    /**
     * Human-readable description of the source and the image counts, for example
     * {@code "Fashion-MNIST from Debian package directory /usr/share/datasets/fashion-mnist: 60000 training images,
     * 10000 test images"}.
     */
    public String description() {
        return description;
    }

    /**
     * Creates an autoencoder iterator over the training images that visits them in a new random order each epoch.
     *
     * @param batchSize images per batch, at least 1
     * @param seed      seed of the row order, so the same seed gives the same batches
     * @return iterator whose batches have features = labels of shape [batchSize, 784]
     * @throws IllegalArgumentException if {@code batchSize} is below 1
     */
    public AutoencoderDataSetIterator trainIterator(int batchSize, long seed) {
        return new AutoencoderDataSetIterator(trainImages, batchSize, seed, true);
    }

    /**
     * Creates an autoencoder iterator over the test images in file order, for evaluating reconstruction.
     *
     * @param batchSize images per batch, at least 1
     * @return iterator whose batches have features = labels of shape [batchSize, 784]
     * @throws IllegalArgumentException if {@code batchSize} is below 1
     */
    public AutoencoderDataSetIterator testIterator(int batchSize) {
        return new AutoencoderDataSetIterator(testImages, batchSize, 0L, false);
    }

    @Override
    public String toString() {
        return description;
    }
}
