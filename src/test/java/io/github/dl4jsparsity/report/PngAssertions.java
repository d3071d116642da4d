package io.github.dl4jsparsity.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Checks shared by the figure tests: the file is a PNG that ImageIO can read, of the expected size, not blank. */
final class PngAssertions {

    private PngAssertions() {
    }

    /** Reads {@code file} back and returns it after checking its size and that it has more than one colour. */
    static BufferedImage assertReadablePng(Path file, int expectedWidth, int expectedHeight) throws IOException {
        assertTrue(Files.isRegularFile(file), "missing PNG " + file);
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, "ImageIO cannot decode " + file);
        assertEquals(expectedWidth, image.getWidth(), "width of " + file);
        assertEquals(expectedHeight, image.getHeight(), "height of " + file);
        assertTrue(hasTwoColours(image), "every pixel of " + file + " has the same colour");
        return image;
    }

    /** Returns whether at least two pixels of {@code image} differ in colour. */
    static boolean hasTwoColours(BufferedImage image) {
        int first = image.getRGB(0, 0);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (image.getRGB(x, y) != first) {
                    return true;
                }
            }
        }
        return false;
    }
}
