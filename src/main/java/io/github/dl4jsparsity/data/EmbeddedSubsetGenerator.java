package io.github.dl4jsparsity.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the embedded Fashion-MNIST subset: the first {@value FashionMnist#EMBEDDED_TRAIN_COUNT} training and the
 * first {@value FashionMnist#EMBEDDED_TEST_COUNT} test images and labels of the official files, as gzipped IDX files
 * under the four standard names.
 *
 * <p>Arguments: {@code [SOURCE_DIR [OUTPUT_DIR]]}. SOURCE_DIR defaults to {@link FashionMnist#DEBIAN_DIRECTORY} and
 * must contain the four official files. OUTPUT_DIR defaults to the resource folder of this package under
 * {@code src/main/resources}, relative to the working directory. Existing files there are replaced.
 */
public final class EmbeddedSubsetGenerator {

    /** Resource folder of the embedded subset, relative to the repository root. */
    static final Path DEFAULT_OUTPUT = Path.of("src/main/resources" + FashionMnist.EMBEDDED_RESOURCE_FOLDER);

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSubsetGenerator.class);

    private EmbeddedSubsetGenerator() {
    }

    /**
     * Runs the generator.
     *
     * @param args optional source directory and optional output directory
     * @throws IOException if an output file cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length > 2) {
            System.err.println("Usage: EmbeddedSubsetGenerator [SOURCE_DIR [OUTPUT_DIR]]");
            System.exit(2);
        }
        Path source = args.length > 0 ? Path.of(args[0]) : FashionMnist.DEBIAN_DIRECTORY;
        Path output = args.length > 1 ? Path.of(args[1]) : DEFAULT_OUTPUT;
        generate(source, output);
    }

    /**
     * Reads the official files in {@code sourceDirectory} and writes the subset into {@code outputDirectory}.
     *
     * @param sourceDirectory directory with the four official Fashion-MNIST files
     * @param outputDirectory directory to write the four subset files into; created if missing
     * @throws DatasetFormatException if a source file is missing or invalid, or has fewer images than the subset
     * @throws IOException            if an output file cannot be written
     */
    public static void generate(Path sourceDirectory, Path outputDirectory) throws IOException {
        Files.createDirectories(outputDirectory);
        writeSplit(sourceDirectory, outputDirectory, FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS,
                FashionMnist.EMBEDDED_TRAIN_COUNT);
        writeSplit(sourceDirectory, outputDirectory, FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS,
                FashionMnist.EMBEDDED_TEST_COUNT);
    }

    private static void writeSplit(Path sourceDirectory, Path outputDirectory, String imagesName, String labelsName,
                                   int count) throws IOException {
        Path imagesFile = sourceDirectory.resolve(imagesName);
        Path labelsFile = sourceDirectory.resolve(labelsName);
        IdxImages images = IdxReader.readImages(imagesFile);
        int[] labels = IdxReader.readLabels(labelsFile);
        if (images.count() < count || labels.length < count) {
            throw new DatasetFormatException("Source files " + imagesFile + " and " + labelsFile + " contain "
                    + images.count() + " images and " + labels.length + " labels, fewer than the " + count
                    + " the subset needs");
        }
        IdxWriter.writeImages(outputDirectory.resolve(imagesName), images, count, true);
        IdxWriter.writeLabels(outputDirectory.resolve(labelsName), labels, count, true);
        LOG.info("Wrote the first {} images of {} and labels of {} to {}", count, imagesFile, labelsFile,
                outputDirectory);
    }
}
