package io.github.dl4jsparsity.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

class FashionMnistTest {

    private static final Map<String, String> NO_ENVIRONMENT = Map.of();

    @TempDir
    Path tempDir;

    /** Pixel value of the synthetic images: a different pattern per image, covering 0 to 255. */
    private static int syntheticPixel(int image, int index) {
        return (image * 31 + index) % 256;
    }

    /** Writes a synthetic dataset of 28x28 images with labels {@code image % 10}. */
    private static Path writeDataset(Path directory, int trainCount, int testCount, boolean standardNames)
            throws IOException {
        Files.createDirectories(directory);
        writeSplit(directory, FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, trainCount, standardNames);
        writeSplit(directory, FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS, testCount, standardNames);
        return directory;
    }

    private static void writeSplit(Path directory, String imagesName, String labelsName, int count,
                                   boolean standardNames) throws IOException {
        byte[] pixels = new byte[count * FashionMnist.PIXELS_PER_IMAGE];
        int[] labels = new int[count];
        for (int image = 0; image < count; image++) {
            for (int index = 0; index < FashionMnist.PIXELS_PER_IMAGE; index++) {
                pixels[image * FashionMnist.PIXELS_PER_IMAGE + index] = (byte) syntheticPixel(image, index);
            }
            labels[image] = image % 10;
        }
        IdxImages images = new IdxImages("synthetic", count, 28, 28, pixels);
        // With standardNames false, the files are plain and named without ".gz".
        String imagesFile = standardNames ? imagesName : imagesName.replace(".gz", "");
        String labelsFile = standardNames ? labelsName : labelsName.replace(".gz", "");
        IdxWriter.writeImages(directory.resolve(imagesFile), images, count, standardNames);
        IdxWriter.writeLabels(directory.resolve(labelsFile), labels, count, standardNames);
    }

    private static FashionMnist.Builder isolated(Map<String, String> environment, Path defaultDirectory) {
        return FashionMnist.builder().environment(environment::get).defaultDirectory(defaultDirectory);
    }

    @Test
    void explicitDirectoryWinsOverOtherSources() throws IOException {
        Path explicit = writeDataset(tempDir.resolve("explicit"), 3, 2, true);
        Path fromEnvironment = writeDataset(tempDir.resolve("env"), 4, 3, true);
        Path debian = writeDataset(tempDir.resolve("debian"), 5, 4, true);

        FashionMnistData data = isolated(Map.of("FASHION_MNIST_DIR", fromEnvironment.toString()), debian)
                .dataDirectory(explicit).build().load();

        assertEquals(DataSourceKind.EXPLICIT_DIRECTORY, data.sourceKind());
        assertEquals(Optional.of(explicit), data.sourceDirectory());
        assertEquals(3, data.trainCount());
        assertEquals(2, data.testCount());
        assertEquals("Fashion-MNIST from explicit data directory " + explicit + ": 3 training images, 2 test images",
                data.description());
    }

    @Test
    void environmentVariableWinsOverDefaultDirectory() throws IOException {
        Path fromEnvironment = writeDataset(tempDir.resolve("env"), 4, 3, true);
        Path debian = writeDataset(tempDir.resolve("debian"), 5, 4, true);

        FashionMnistData data = isolated(Map.of("FASHION_MNIST_DIR", fromEnvironment.toString()), debian)
                .build().load();

        assertEquals(DataSourceKind.ENVIRONMENT_VARIABLE, data.sourceKind());
        assertEquals(Optional.of(fromEnvironment), data.sourceDirectory());
        assertEquals(4, data.trainCount());
        assertEquals("Fashion-MNIST from FASHION_MNIST_DIR directory " + fromEnvironment
                + ": 4 training images, 3 test images", data.description());
    }

    @Test
    void blankEnvironmentVariableIsIgnored() throws IOException {
        Path debian = writeDataset(tempDir.resolve("debian"), 5, 4, true);

        FashionMnistData data = isolated(Map.of("FASHION_MNIST_DIR", "  "), debian).build().load();

        assertEquals(DataSourceKind.DEBIAN_PACKAGE, data.sourceKind());
    }

    @Test
    void defaultDirectoryUsedWhenItExists() throws IOException {
        Path debian = writeDataset(tempDir.resolve("debian"), 5, 4, true);

        FashionMnistData data = isolated(NO_ENVIRONMENT, debian).build().load();

        assertEquals(DataSourceKind.DEBIAN_PACKAGE, data.sourceKind());
        assertEquals(Optional.of(debian), data.sourceDirectory());
        assertEquals(5, data.trainCount());
        assertEquals(4, data.testCount());
        assertEquals("Fashion-MNIST from Debian package directory " + debian + ": 5 training images, 4 test images",
                data.description());
    }

    @Test
    void embeddedSubsetUsedWhenNoDirectory() {
        FashionMnistData data = isolated(NO_ENVIRONMENT, tempDir.resolve("absent")).build().load();

        assertEquals(DataSourceKind.EMBEDDED_SUBSET, data.sourceKind());
        assertEquals(Optional.empty(), data.sourceDirectory());
        assertEquals("Fashion-MNIST from embedded subset (first 5000 training and 1000 test images of the official "
                + "files): 5000 training images, 1000 test images", data.description());
        INDArray train = data.trainImages();
        INDArray test = data.testImages();
        assertArrayEquals(new long[] {5000, 784}, train.shape());
        assertArrayEquals(new long[] {1000, 784}, test.shape());
        assertEquals(DataType.FLOAT, train.dataType());
        assertEquals(0.0, train.minNumber().doubleValue());
        assertEquals(1.0, train.maxNumber().doubleValue());
        assertEquals(0.0, test.minNumber().doubleValue());
        assertEquals(1.0, test.maxNumber().doubleValue());
        assertEquals(5000, data.trainLabels().length);
        assertEquals(1000, data.testLabels().length);
        // First labels and a pixel of the official files, read independently with a gzip/IDX dump.
        assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, java.util.Arrays.copyOf(data.trainLabels(), 10));
        assertArrayEquals(new int[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, java.util.Arrays.copyOf(data.testLabels(), 10));
        assertEquals(217 / 255f, train.getFloat(0, 14 * 28 + 14));
        assertEquals(76247 / 255.0, train.getRow(0).sumNumber().doubleValue(), 1e-3);
    }

    @Test
    void pixelsScaledToUnitInterval() throws IOException {
        Path explicit = writeDataset(tempDir.resolve("explicit"), 3, 2, true);

        FashionMnistData data = FashionMnist.load(explicit);

        INDArray train = data.trainImages();
        assertArrayEquals(new long[] {3, 784}, train.shape());
        assertEquals(DataType.FLOAT, train.dataType());
        for (int image = 0; image < 3; image++) {
            for (int index : new int[] {0, 1, 224, 225, 500, 783}) {
                assertEquals(syntheticPixel(image, index) / 255f, train.getFloat(image, index),
                        "image " + image + " pixel " + index);
            }
        }
        assertEquals(1.0f, train.getFloat(0, 255));
        assertEquals(0.0f, train.getFloat(0, 256));
        assertArrayEquals(new int[] {0, 1, 2}, data.trainLabels());
        assertArrayEquals(new int[] {0, 1}, data.testLabels());
    }

    @Test
    void plainFilesWithoutGzSuffixAccepted() throws IOException {
        Path explicit = writeDataset(tempDir.resolve("plain"), 3, 2, false);

        FashionMnistData data = FashionMnist.load(explicit);

        assertEquals(3, data.trainCount());
        assertEquals(syntheticPixel(2, 700) / 255f, data.trainImages().getFloat(2, 700));
    }

    @Test
    void capsKeepFirstImages() throws IOException {
        Path explicit = writeDataset(tempDir.resolve("explicit"), 5, 4, true);

        FashionMnistData data = isolated(NO_ENVIRONMENT, tempDir.resolve("absent"))
                .dataDirectory(explicit).maxTrainImages(2).maxTestImages(10).build().load();

        assertArrayEquals(new long[] {2, 784}, data.trainImages().shape());
        assertArrayEquals(new long[] {4, 784}, data.testImages().shape());
        assertArrayEquals(new int[] {0, 1}, data.trainLabels());
        assertEquals(syntheticPixel(1, 10) / 255f, data.trainImages().getFloat(1, 10));
        assertEquals("Fashion-MNIST from explicit data directory " + explicit
                + ": 2 of 5 training images, 4 test images", data.description());
    }

    @Test
    void capBelowOneRejected() {
        FashionMnist.Builder builder = FashionMnist.builder();

        IllegalArgumentException train = assertThrows(IllegalArgumentException.class,
                () -> builder.maxTrainImages(0));
        IllegalArgumentException test = assertThrows(IllegalArgumentException.class,
                () -> builder.maxTestImages(-3));

        assertEquals("maxTrainImages must be at least 1, got 0", train.getMessage());
        assertEquals("maxTestImages must be at least 1, got -3", test.getMessage());
    }

    @Test
    void accessorsReturnCopies() throws IOException {
        FashionMnistData data = FashionMnist.load(writeDataset(tempDir.resolve("explicit"), 3, 2, true));

        data.trainImages().assign(7);
        data.testImages().assign(7);
        data.trainLabels()[0] = 7;

        assertEquals(0.0f, data.trainImages().getFloat(0, 0));
        assertEquals(0.0f, data.testImages().getFloat(0, 0));
        assertEquals(0, data.trainLabels()[0]);
    }

    @Test
    void explicitDirectoryMissingFileRejected() throws IOException {
        Path explicit = writeDataset(tempDir.resolve("explicit"), 3, 2, true);
        Files.delete(explicit.resolve(FashionMnist.TRAIN_LABELS));
        Path debian = writeDataset(tempDir.resolve("debian"), 5, 4, true);

        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> isolated(NO_ENVIRONMENT, debian).dataDirectory(explicit).build().load());

        assertEquals("Fashion-MNIST file not found in explicit data directory " + explicit
                + ": train-labels-idx1-ubyte.gz (or train-labels-idx1-ubyte)", e.getMessage());
    }

    @Test
    void environmentDirectoryMissingFileRejected() throws IOException {
        Path fromEnvironment = writeDataset(tempDir.resolve("env"), 3, 2, true);
        Files.delete(fromEnvironment.resolve(FashionMnist.TEST_IMAGES));

        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> isolated(Map.of("FASHION_MNIST_DIR", fromEnvironment.toString()), tempDir.resolve("absent"))
                        .build().load());

        assertEquals("Fashion-MNIST file not found in FASHION_MNIST_DIR directory " + fromEnvironment
                + ": t10k-images-idx3-ubyte.gz (or t10k-images-idx3-ubyte)", e.getMessage());
    }

    @Test
    void missingExplicitDirectoryRejected() {
        Path absent = tempDir.resolve("absent");

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnist.load(absent));

        assertEquals("Fashion-MNIST directory not found: " + absent + " (explicit data directory)", e.getMessage());
    }

    @Test
    void missingEnvironmentDirectoryRejected() {
        Path absent = tempDir.resolve("absent");

        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> isolated(Map.of("FASHION_MNIST_DIR", absent.toString()), tempDir).build().load());

        assertEquals("Fashion-MNIST directory not found: " + absent + " (FASHION_MNIST_DIR directory)",
                e.getMessage());
    }

    @Test
    void fileAsDirectoryRejected() throws IOException {
        Path file = Files.writeString(tempDir.resolve("file"), "x");

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnist.load(file));

        assertEquals("Fashion-MNIST path is not a directory: " + file + " (explicit data directory)",
                e.getMessage());
    }

    @Test
    void mismatchedCountsRejected() throws IOException {
        Path explicit = writeDataset(tempDir.resolve("explicit"), 3, 2, true);
        IdxWriter.writeLabels(explicit.resolve(FashionMnist.TRAIN_LABELS), new int[] {1, 2}, 2, true);

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnist.load(explicit));

        assertEquals("Mismatched Fashion-MNIST files: " + explicit.resolve(FashionMnist.TRAIN_IMAGES)
                + " contains 3 images but " + explicit.resolve(FashionMnist.TRAIN_LABELS) + " contains 2 labels",
                e.getMessage());
    }

    @Test
    void wrongImageSizeRejected() throws IOException {
        Path explicit = writeDataset(tempDir.resolve("explicit"), 3, 2, true);
        Path testImages = explicit.resolve(FashionMnist.TEST_IMAGES);
        IdxWriter.writeImages(testImages, new IdxImages("small", 2, 27, 28, new byte[2 * 27 * 28]), 2, true);

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnist.load(explicit));

        assertEquals("Invalid Fashion-MNIST image file " + testImages + ": image size 27x28, expected 28x28",
                e.getMessage());
    }

    @Test
    void labelOutOfRangeRejected() throws IOException {
        Path explicit = writeDataset(tempDir.resolve("explicit"), 3, 2, true);
        Path trainLabels = explicit.resolve(FashionMnist.TRAIN_LABELS);
        IdxWriter.writeLabels(trainLabels, new int[] {1, 10, 2}, 3, true);

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnist.load(explicit));

        assertEquals("Invalid Fashion-MNIST label file " + trainLabels + ": label 10 at index 1, expected 0 to 9",
                e.getMessage());
    }

    @Test
    void emptyImageFileRejected() throws IOException {
        Path explicit = writeDataset(tempDir.resolve("explicit"), 0, 2, true);

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnist.load(explicit));

        assertEquals("Invalid Fashion-MNIST image file " + explicit.resolve(FashionMnist.TRAIN_IMAGES)
                + ": contains no images", e.getMessage());
    }

    @Test
    void debianFilesLoadInFull() {
        assumeTrue(Files.isDirectory(FashionMnist.DEBIAN_DIRECTORY),
                FashionMnist.DEBIAN_DIRECTORY + " is not installed");

        FashionMnistData data = isolated(NO_ENVIRONMENT, FashionMnist.DEBIAN_DIRECTORY).build().load();
        FashionMnistData embedded = isolated(NO_ENVIRONMENT, tempDir.resolve("absent")).build().load();

        assertEquals(DataSourceKind.DEBIAN_PACKAGE, data.sourceKind());
        assertEquals(60000, data.trainCount());
        assertEquals(10000, data.testCount());
        INDArray train = data.trainImages();
        INDArray test = data.testImages();
        assertArrayEquals(new long[] {60000, 784}, train.shape());
        assertArrayEquals(new long[] {10000, 784}, test.shape());
        assertEquals(0.0, train.minNumber().doubleValue());
        assertEquals(1.0, train.maxNumber().doubleValue());
        assertEquals(217 / 255f, train.getFloat(0, 14 * 28 + 14));
        assertEquals(9, data.trainLabels()[0]);
        assertEquals(9, data.testLabels()[0]);
        // The embedded subset must be the leading images of these files, byte for byte.
        assertEquals(embedded.trainImages(), train.get(NDArrayIndex.interval(0, 5000), NDArrayIndex.all()));
        assertEquals(embedded.testImages(), test.get(NDArrayIndex.interval(0, 1000), NDArrayIndex.all()));
        assertArrayEquals(embedded.trainLabels(), java.util.Arrays.copyOf(data.trainLabels(), 5000));
        assertArrayEquals(embedded.testLabels(), java.util.Arrays.copyOf(data.testLabels(), 1000));
        assertFalse(data.description().contains("of 60000"), data.description());
    }
}
