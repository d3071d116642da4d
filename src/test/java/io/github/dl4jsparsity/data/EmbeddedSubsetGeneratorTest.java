package io.github.dl4jsparsity.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedSubsetGeneratorTest {

    @TempDir
    Path tempDir;

    private static InputStream openResource(String fileName) {
        return FashionMnist.class.getResourceAsStream(FashionMnist.EMBEDDED_RESOURCE_FOLDER + fileName);
    }

    private static IdxImages embeddedImages(String fileName) throws IOException {
        try (InputStream in = openResource(fileName)) {
            return IdxReader.readImages(in, fileName);
        }
    }

    private static int[] embeddedLabels(String fileName) throws IOException {
        try (InputStream in = openResource(fileName)) {
            return IdxReader.readLabels(in, fileName);
        }
    }

    @Test
    void regeneratedSubsetMatchesResources() throws IOException {
        assumeTrue(Files.isDirectory(FashionMnist.DEBIAN_DIRECTORY),
                FashionMnist.DEBIAN_DIRECTORY + " is not installed");

        EmbeddedSubsetGenerator.generate(FashionMnist.DEBIAN_DIRECTORY, tempDir);

        for (String name : new String[] {FashionMnist.TRAIN_IMAGES, FashionMnist.TEST_IMAGES}) {
            IdxImages generated = IdxReader.readImages(tempDir.resolve(name));
            IdxImages shipped = embeddedImages(name);
            assertEquals(shipped.count(), generated.count(), name);
            assertArrayEquals(shipped.copyPixels(), generated.copyPixels(), name);
        }
        for (String name : new String[] {FashionMnist.TRAIN_LABELS, FashionMnist.TEST_LABELS}) {
            assertArrayEquals(embeddedLabels(name), IdxReader.readLabels(tempDir.resolve(name)), name);
        }
        assertEquals(5000, IdxReader.readLabels(tempDir.resolve(FashionMnist.TRAIN_LABELS)).length);
        assertEquals(1000, IdxReader.readLabels(tempDir.resolve(FashionMnist.TEST_LABELS)).length);
    }

    @Test
    void tooFewSourceImagesRejected() throws IOException {
        Path source = Files.createDirectories(tempDir.resolve("source"));
        Path images = source.resolve(FashionMnist.TRAIN_IMAGES);
        Path labels = source.resolve(FashionMnist.TRAIN_LABELS);
        IdxWriter.writeImages(images, new IdxImages("small", 2, 28, 28, new byte[2 * 784]), 2, true);
        IdxWriter.writeLabels(labels, new int[] {1, 2}, 2, true);

        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> EmbeddedSubsetGenerator.generate(source, tempDir.resolve("out")));

        assertEquals("Source files " + images + " and " + labels + " contain 2 images and 2 labels, fewer than the "
                + "5000 the subset needs", e.getMessage());
    }
}
