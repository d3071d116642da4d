package io.github.dl4jsparsity.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads Fashion-MNIST (70,000 grayscale 28x28 images of clothing in 10 classes) from the first source that applies:
 *
 * <ol>
 *   <li>the directory passed to {@link Builder#dataDirectory(Path)}, for example from a {@code --data DIR} option;</li>
 *   <li>else the directory in the {@value #ENVIRONMENT_VARIABLE} environment variable, if it is set and not blank;</li>
 *   <li>else {@code /usr/share/datasets/fashion-mnist} (see {@link Builder#defaultDirectory(Path)}), if it exists;</li>
 *   <li>else the embedded subset on the classpath: the first 5,000 training and first 1,000 test images.</li>
 * </ol>
 *
 * <p>A chosen directory must contain the four standard IDX files ({@value #TRAIN_IMAGES}, {@value #TRAIN_LABELS},
 * {@value #TEST_IMAGES}, {@value #TEST_LABELS}), each either under that name or without the {@code .gz} suffix, and
 * gzip-compressed or not. A missing or invalid file raises {@link DatasetFormatException}, and the loader does not
 * fall back to a later source once a directory was chosen.
 *
 * <p>The result contains float32 image matrices [N, 784] with pixel values divided by 255, so in [0, 1], and labels in
 * [0, 9]. {@link Builder#maxTrainImages(int)} and {@link Builder#maxTestImages(int)} keep only the first N images.
 */
public final class FashionMnist {

    /** Environment variable that names a directory with the Fashion-MNIST files. */
    public static final String ENVIRONMENT_VARIABLE = "FASHION_MNIST_DIR";

    /** Directory where the Debian package dataset-fashion-mnist installs the files. */
    public static final Path DEBIAN_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

    /** File name of the 60,000 training images. */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";

    /** File name of the 60,000 training labels. */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";

    /** File name of the 10,000 test images. */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";

    /** File name of the 10,000 test labels. */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

    /** Pixel rows per image. */
    public static final int IMAGE_ROWS = 28;

    /** Pixel columns per image. */
    public static final int IMAGE_COLUMNS = 28;

    /** Pixels per image and columns of the image matrices. */
    public static final int PIXELS_PER_IMAGE = IMAGE_ROWS * IMAGE_COLUMNS;

    /** Number of classes; labels are in [0, CLASS_COUNT - 1]. */
    public static final int CLASS_COUNT = 10;

    /** Number of training images in the embedded subset. */
    public static final int EMBEDDED_TRAIN_COUNT = 5000;

    /** Number of test images in the embedded subset. */
    public static final int EMBEDDED_TEST_COUNT = 1000;

    /** Classpath folder of the embedded subset, with the same four file names as the official distribution. */
    static final String EMBEDDED_RESOURCE_FOLDER = "/io/github/dl4jsparsity/data/fashion-mnist/";

    private static final Logger LOG = LoggerFactory.getLogger(FashionMnist.class);
    private static final String GZIP_SUFFIX = ".gz";

    private final Path dataDirectory;
    private final Function<String, String> environment;
    private final Path defaultDirectory;
    private final int maxTrainImages;
    private final int maxTestImages;
    private final boolean embeddedOnly;

    private FashionMnist(Builder builder) {
        this.embeddedOnly = builder.embeddedOnly;
        this.dataDirectory = builder.dataDirectory;
        this.environment = builder.environment;
        this.defaultDirectory = builder.defaultDirectory;
        this.maxTrainImages = builder.maxTrainImages;
        this.maxTestImages = builder.maxTestImages;
    }

    /** Returns a builder with no explicit directory, the process environment and no caps. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads the full dataset from the first source that applies, as described in the class documentation.
     *
     * @param dataDirectory explicit directory, or null to check the environment variable and the later sources
     * @return the loaded images and labels
     * @throws DatasetFormatException if a chosen directory or file is missing or invalid
     */
    public static FashionMnistData load(Path dataDirectory) {
        return builder().dataDirectory(dataDirectory).build().load();
    }

    /**
     * Loads images and labels from the first source that applies, keeping the first images up to the caps.
     *
     * @return the loaded images and labels
     * @throws DatasetFormatException if a chosen directory or file is missing or invalid
     */
    public FashionMnistData load() {
        Source source = resolveSource();
        LOG.info("Reading Fashion-MNIST from {}", source.label);
        RawData raw = source.kind == DataSourceKind.EMBEDDED_SUBSET ? readEmbedded() : readDirectory(source);

        int trainCount = Math.min(maxTrainImages, raw.trainImages.count());
        int testCount = Math.min(maxTestImages, raw.testImages.count());
        String description = "Fashion-MNIST from " + source.label + ": "
                + counted(trainCount, raw.trainImages.count(), "training") + ", "
                + counted(testCount, raw.testImages.count(), "test");
        FashionMnistData data = new FashionMnistData(
                toScaledMatrix(raw.trainImages, trainCount), Arrays.copyOf(raw.trainLabels, trainCount),
                toScaledMatrix(raw.testImages, testCount), Arrays.copyOf(raw.testLabels, testCount),
                source.kind, source.directory, description);
        LOG.info("Loaded {}", description);
        return data;
    }

    private Source resolveSource() {
        if (embeddedOnly) {
            LOG.info("Using the embedded subset, as requested");
            return embeddedSource();
        }
        if (dataDirectory != null) {
            return directorySource(DataSourceKind.EXPLICIT_DIRECTORY, dataDirectory, "explicit data directory");
        }
        String fromEnvironment = environment.apply(ENVIRONMENT_VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return directorySource(DataSourceKind.ENVIRONMENT_VARIABLE, Path.of(fromEnvironment.strip()),
                    ENVIRONMENT_VARIABLE + " directory");
        }
        if (Files.isDirectory(defaultDirectory)) {
            return directorySource(DataSourceKind.DEBIAN_PACKAGE, defaultDirectory, "Debian package directory");
        }
        LOG.info("No data directory given, {} is not set and {} does not exist; using the embedded subset",
                ENVIRONMENT_VARIABLE, defaultDirectory);
        return embeddedSource();
    }

    private static Source embeddedSource() {
        String label = "embedded subset (first " + EMBEDDED_TRAIN_COUNT + " training and " + EMBEDDED_TEST_COUNT
                + " test images of the official files)";
        return new Source(DataSourceKind.EMBEDDED_SUBSET, null, label);
    }

    private static Source directorySource(DataSourceKind kind, Path directory, String role) {
        Path absolute = directory.toAbsolutePath().normalize();
        if (!Files.exists(absolute)) {
            throw new DatasetFormatException("Fashion-MNIST directory not found: " + absolute + " (" + role + ")");
        }
        if (!Files.isDirectory(absolute)) {
            throw new DatasetFormatException("Fashion-MNIST path is not a directory: " + absolute + " (" + role + ")");
        }
        return new Source(kind, absolute, role + " " + absolute);
    }

    private static RawData readDirectory(Source source) {
        // Locate all four files first, so a missing one is reported before any file is read.
        Path trainImages = locate(source, TRAIN_IMAGES);
        Path trainLabels = locate(source, TRAIN_LABELS);
        Path testImages = locate(source, TEST_IMAGES);
        Path testLabels = locate(source, TEST_LABELS);
        IdxImages train = checkImages(IdxReader.readImages(trainImages));
        int[] trainClasses = checkLabels(IdxReader.readLabels(trainLabels), trainLabels.toString(), train);
        IdxImages test = checkImages(IdxReader.readImages(testImages));
        int[] testClasses = checkLabels(IdxReader.readLabels(testLabels), testLabels.toString(), test);
        return new RawData(train, trainClasses, test, testClasses);
    }

    /** Finds a file under its standard name or, failing that, under the name without {@code .gz}. */
    private static Path locate(Source source, String fileName) {
        Path gzipped = source.directory.resolve(fileName);
        if (Files.isRegularFile(gzipped)) {
            return gzipped;
        }
        String plainName = fileName.substring(0, fileName.length() - GZIP_SUFFIX.length());
        Path plain = source.directory.resolve(plainName);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw new DatasetFormatException("Fashion-MNIST file not found in " + source.label + ": " + fileName
                + " (or " + plainName + ")");
    }

    private static RawData readEmbedded() {
        IdxImages train = checkImages(readResource(TRAIN_IMAGES, IdxReader::readImages));
        int[] trainLabels = readResource(TRAIN_LABELS, IdxReader::readLabels);
        IdxImages test = checkImages(readResource(TEST_IMAGES, IdxReader::readImages));
        int[] testLabels = readResource(TEST_LABELS, IdxReader::readLabels);
        checkLabels(trainLabels, resource(TRAIN_LABELS), train);
        checkLabels(testLabels, resource(TEST_LABELS), test);
        return new RawData(train, trainLabels, test, testLabels);
    }

    /** Name of an embedded file in messages and in {@link IdxImages#source()}. */
    private static String resource(String fileName) {
        return "classpath:" + EMBEDDED_RESOURCE_FOLDER + fileName;
    }

    private static <T> T readResource(String fileName, BiFunction<InputStream, String, T> reader) {
        String path = EMBEDDED_RESOURCE_FOLDER + fileName;
        try (InputStream in = FashionMnist.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new DatasetFormatException("Embedded Fashion-MNIST resource not found on the classpath: " + path);
            }
            return reader.apply(in, resource(fileName));
        } catch (IOException e) {
            throw new DatasetFormatException("Failed to read embedded resource " + path + ": " + e.getMessage(), e);
        }
    }

    private static IdxImages checkImages(IdxImages images) {
        if (images.rows() != IMAGE_ROWS || images.columns() != IMAGE_COLUMNS) {
            throw new DatasetFormatException("Invalid Fashion-MNIST image file " + images.source() + ": image size "
                    + images.rows() + "x" + images.columns() + ", expected " + IMAGE_ROWS + "x" + IMAGE_COLUMNS);
        }
        if (images.count() == 0) {
            throw new DatasetFormatException("Invalid Fashion-MNIST image file " + images.source()
                    + ": contains no images");
        }
        return images;
    }

    private static int[] checkLabels(int[] labels, String labelSource, IdxImages images) {
        if (labels.length != images.count()) {
            throw new DatasetFormatException("Mismatched Fashion-MNIST files: " + images.source() + " contains "
                    + images.count() + " images but " + labelSource + " contains " + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= CLASS_COUNT) {
                throw new DatasetFormatException("Invalid Fashion-MNIST label file " + labelSource + ": label "
                        + labels[i] + " at index " + i + ", expected 0 to " + (CLASS_COUNT - 1));
            }
        }
        return labels;
    }

    /** Converts the first {@code count} images to a float32 matrix [count, pixels] of intensities divided by 255. */
    static INDArray toScaledMatrix(IdxImages images, int count) {
        int pixelsPerImage = images.pixelsPerImage();
        float[] scale = new float[256];
        for (int i = 0; i < scale.length; i++) {
            scale[i] = i / 255f;
        }
        byte[] pixels = images.pixelArray();
        float[] values = new float[count * pixelsPerImage];
        for (int i = 0; i < values.length; i++) {
            values[i] = scale[Byte.toUnsignedInt(pixels[i])];
        }
        return Nd4j.create(values, new long[] {count, pixelsPerImage}, DataType.FLOAT);
    }

    private static String counted(int kept, int available, String split) {
        if (kept == available) {
            return kept + " " + split + " images";
        }
        return kept + " of " + available + " " + split + " images";
    }

    /** Chosen source: its kind, its absolute directory (null for the embedded subset) and a label for messages. */
    private static final class Source {
        private final DataSourceKind kind;
        private final Path directory;
        private final String label;

        Source(DataSourceKind kind, Path directory, String label) {
            this.kind = kind;
            this.directory = directory;
            this.label = label;
        }
    }

    /** Images and labels as read, before the caps. */
    private static final class RawData {
        private final IdxImages trainImages;
        private final int[] trainLabels;
        private final IdxImages testImages;
        private final int[] testLabels;

        RawData(IdxImages trainImages, int[] trainLabels, IdxImages testImages, int[] testLabels) {
            this.trainImages = trainImages;
            this.trainLabels = trainLabels;
            this.testImages = testImages;
            this.testLabels = testLabels;
        }
    }

    /**
     * Options for {@link FashionMnist}. Each setter returns this builder.
     */
    public static final class Builder {

        private Path dataDirectory;
        private Function<String, String> environment = System::getenv;
        private Path defaultDirectory = DEBIAN_DIRECTORY;
        private int maxTrainImages = Integer.MAX_VALUE;
        private int maxTestImages = Integer.MAX_VALUE;
        private boolean embeddedOnly;

        private Builder() {
        }

        /**
         * Sets the explicit data directory, which takes precedence over every other source.
         *
         * @param dataDirectory directory with the four IDX files, or null for none
         */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
            return this;
        }

        /**
         * Sets the environment lookup, by default {@link System#getenv(String)}; tests pass a map lookup instead.
         *
         * @param environment function from variable name to value, returning null for an unset variable
         */
        public Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /**
         * Sets the directory checked after the environment variable, by default {@link #DEBIAN_DIRECTORY}.
         *
         * @param defaultDirectory directory used when it exists; when it does not, the embedded subset is used
         */
        public Builder defaultDirectory(Path defaultDirectory) {
            this.defaultDirectory = Objects.requireNonNull(defaultDirectory, "defaultDirectory");
            return this;
        }

        /** Uses the embedded subset whatever the other sources hold; leave the explicit directory unset. */
        public Builder embeddedOnly() {
            this.embeddedOnly = true;
            return this;
        }

        /**
         * Keeps only the first {@code maxTrainImages} training images; the default keeps all of them.
         *
         * @param maxTrainImages maximum number of training images, at least 1
         * @throws IllegalArgumentException if {@code maxTrainImages} is below 1
         */
        public Builder maxTrainImages(int maxTrainImages) {
            this.maxTrainImages = requirePositive("maxTrainImages", maxTrainImages);
            return this;
        }

        /**
         * Keeps only the first {@code maxTestImages} test images; the default keeps all of them.
         *
         * @param maxTestImages maximum number of test images, at least 1
         * @throws IllegalArgumentException if {@code maxTestImages} is below 1
         */
        public Builder maxTestImages(int maxTestImages) {
            this.maxTestImages = requirePositive("maxTestImages", maxTestImages);
            return this;
        }

        /** Creates the loader; nothing is read until {@link FashionMnist#load()}. */
        public FashionMnist build() {
            return new FashionMnist(this);
        }

        private static int requirePositive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be at least 1, got " + value);
            }
            return value;
        }
    }
}
