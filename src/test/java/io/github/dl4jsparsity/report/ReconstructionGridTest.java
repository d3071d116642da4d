package io.github.dl4jsparsity.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ReconstructionGridTest {

    @TempDir
    Path tempDir;

    /** Three images: all white, all black, and a ramp from 0 to 1 across each row. */
    private static INDArray originals() {
        double[][] pixels = new double[3][784];
        for (int p = 0; p < 784; p++) {
            pixels[0][p] = 1.0;
            pixels[1][p] = 0.0;
            pixels[2][p] = (p % 28) / 27.0;
        }
        return Nd4j.createFromArray(pixels);
    }

    private static INDArray constant(int rows, double value) {
        return Nd4j.valueArrayOf(new long[] {rows, 784}, value, DataType.FLOAT);
    }

    @Test
    void writesGrayscalePng() throws IOException {
        Path output = tempDir.resolve("figures/reconstructions.png");
        ReconstructionGrid.write(originals(), constant(3, 0.5), output);

        // (3 images * 29 + 1) * 3 wide, (2 * 29 + 1) * 3 high.
        BufferedImage image = PngAssertions.assertReadablePng(output, 264, 177);
        assertEquals(8, image.getColorModel().getPixelSize());
        assertEquals(1, image.getRaster().getNumBands());
    }

    @Test
    void pixelsLandInTheirCells() {
        BufferedImage image = ReconstructionGrid.render(originals(), constant(3, 0.5), 2);
        int scale = 2;

        assertEquals(128, image.getRaster().getSample(0, 0, 0), "gap");
        assertEquals(255, image.getRaster().getSample(scale, scale, 0), "white original");
        assertEquals(255, image.getRaster().getSample(29 * scale - 1, 29 * scale - 1, 0), "white original corner");
        assertEquals(0, image.getRaster().getSample(30 * scale, scale, 0), "black original");
        int rampLeft = 59 * scale;
        assertEquals(0, image.getRaster().getSample(rampLeft, scale, 0), "ramp start");
        assertEquals(255, image.getRaster().getSample(rampLeft + 27 * scale, scale, 0), "ramp end");
        assertEquals(128, image.getRaster().getSample(scale, 30 * scale, 0), "reconstruction of 0.5");
        assertEquals(128, image.getRaster().getSample(scale, 29 * scale, 0), "gap between rows");
    }

    @Test
    void singleImageAtScaleOne() {
        BufferedImage image = ReconstructionGrid.render(constant(1, 1.0), constant(1, 0.0), 1);

        assertEquals(30, image.getWidth());
        assertEquals(59, image.getHeight());
    }

    @Test
    void wrongColumnCountRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ReconstructionGrid.render(Nd4j.zeros(3, 100), constant(3, 0.5), 3));
        assertEquals("originals must have shape [k, 784] with k >= 1, but has shape [3, 100]", error.getMessage());
    }

    @Test
    void rankOneRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ReconstructionGrid.render(constant(2, 0.5), Nd4j.zeros(784), 3));
        assertEquals("reconstructions must have shape [k, 784] with k >= 1, but has shape [784]",
                error.getMessage());
    }

    @Test
    void emptyRejected() {
        INDArray empty = Nd4j.create(DataType.FLOAT, 0, 784);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ReconstructionGrid.render(empty, empty, 3));
        assertEquals("originals must have shape [k, 784] with k >= 1, but has shape [0, 784]", error.getMessage());
    }

    @Test
    void rowCountMismatchRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ReconstructionGrid.render(originals(), constant(2, 0.5), 3));
        assertEquals("reconstructions must have as many rows as originals (3), but has 2", error.getMessage());
    }

    @Test
    void valuesOutsideUnitIntervalRejected() {
        INDArray invalid = constant(3, 0.5);
        invalid.putScalar(0, 5, 1.5);
        invalid.putScalar(2, 7, Double.NaN);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ReconstructionGrid.render(originals(), invalid, 3));
        assertEquals("reconstructions contains 2 values that are NaN or outside [0, 1] (first: 1.5). Clip or "
                + "rescale the pixels to [0, 1].", error.getMessage());
    }

    @Test
    void invalidScaleRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ReconstructionGrid.render(originals(), constant(3, 0.5), 0));
        assertEquals("scale must be between 1 and 32, but was 0", error.getMessage());
    }
}
