package io.github.dl4jsparsity.report;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Grayscale PNG of k 28 x 28 images in the top row and their reconstructions in the row below, for example
 * Fashion-MNIST test images and the autoencoder's outputs.
 *
 * <p>Both inputs are matrices of shape [k, 784] with k at least 1, each row one image flattened row by row, with
 * pixel intensities in [0, 1]. Intensity 0 is drawn black and 1 white. Every source pixel becomes a square of
 * {@code scale} x {@code scale} output pixels, and images are separated by a mid-gray gap of {@code scale} pixels,
 * so the PNG is (k * 29 + 1) * scale pixels wide and 59 * scale pixels high.
 */
public final class ReconstructionGrid {

    /** Side of one image in source pixels. */
    public static final int IMAGE_SIDE = 28;

    /** Pixels per image, the required number of columns of both input matrices. */
    public static final int IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE;

    /** Default magnification. */
    public static final int DEFAULT_SCALE = 3;

    /** Largest accepted magnification. */
    public static final int MAX_SCALE = 32;

    private static final int GAP_GRAY = 128;

    private ReconstructionGrid() {
    }

    /** Writes the grid to {@code output} with magnification {@value #DEFAULT_SCALE}. */
    public static void write(INDArray originals, INDArray reconstructions, Path output) throws IOException {
        write(originals, reconstructions, DEFAULT_SCALE, output);
    }

    /**
     * Writes the grid to {@code output} as an 8-bit grayscale PNG, creating missing parent directories.
     *
     * @param originals images of shape [k, 784], k at least 1, values in [0, 1]
     * @param reconstructions reconstructions of the same shape as {@code originals}, values in [0, 1]
     * @param scale output pixels per source pixel along each side, in [1, {@value #MAX_SCALE}]
     * @throws IllegalArgumentException if a shape, a value or {@code scale} is invalid
     * @throws IOException if a directory or the file cannot be written, with the path in the message
     */
    public static void write(INDArray originals, INDArray reconstructions, int scale, Path output)
            throws IOException {
        PngFiles.writeImage(render(originals, reconstructions, scale), output, "reconstruction grid");
    }

    /** Renders the grid that {@link #write} saves, after the same argument checks. */
    public static BufferedImage render(INDArray originals, INDArray reconstructions, int scale) {
        validateImages("originals", originals);
        validateImages("reconstructions", reconstructions);
        if (reconstructions.rows() != originals.rows()) {
            throw new IllegalArgumentException(String.format(
                    "reconstructions must have as many rows as originals (%d), but has %d",
                    originals.rows(), reconstructions.rows()));
        }
        if (scale < 1 || scale > MAX_SCALE) {
            throw new IllegalArgumentException(
                    "scale must be between 1 and " + MAX_SCALE + ", but was " + scale);
        }

        int count = Math.toIntExact(originals.rows());
        double[][] top = toPixels("originals", originals);
        double[][] bottom = toPixels("reconstructions", reconstructions);

        int cell = IMAGE_SIDE + 1;
        long width = ((long) count * cell + 1) * scale;
        int height = (2 * cell + 1) * scale;
        if (width > Integer.MAX_VALUE / height) {
            throw new IllegalArgumentException(String.format(
                    "originals has %d images, so the grid would be %d x %d pixels, which is too large for one "
                            + "image; pass fewer rows", count, width, height));
        }
        BufferedImage image = new BufferedImage((int) width, height, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        int[] gap = new int[(int) width];
        Arrays.fill(gap, GAP_GRAY);
        for (int y = 0; y < height; y++) {
            raster.setSamples(0, y, (int) width, 1, 0, gap);
        }
        for (int i = 0; i < count; i++) {
            int left = (i * cell + 1) * scale;
            drawImage(raster, top[i], left, scale, scale);
            drawImage(raster, bottom[i], left, (cell + 1) * scale, scale);
        }
        return image;
    }

    private static void drawImage(WritableRaster raster, double[] pixels, int left, int topEdge, int scale) {
        int[] block = new int[scale * scale];
        for (int row = 0; row < IMAGE_SIDE; row++) {
            for (int column = 0; column < IMAGE_SIDE; column++) {
                int gray = (int) Math.round(255.0 * pixels[row * IMAGE_SIDE + column]);
                Arrays.fill(block, gray);
                raster.setSamples(left + column * scale, topEdge + row * scale, scale, scale, 0, block);
            }
        }
    }

    private static void validateImages(String name, INDArray images) {
        Objects.requireNonNull(images, name + " must not be null");
        boolean valid = images.rank() == 2 && !images.isEmpty() && images.rows() >= 1
                && images.columns() == IMAGE_PIXELS;
        if (!valid) {
            throw new IllegalArgumentException(String.format(
                    "%s must have shape [k, %d] with k >= 1, but has shape %s", name, IMAGE_PIXELS,
                    Arrays.toString(images.shape())));
        }
    }

    private static double[][] toPixels(String name, INDArray images) {
        double[][] pixels = images.toDoubleMatrix();
        long invalid = 0;
        double firstInvalid = Double.NaN;
        for (double[] row : pixels) {
            for (double value : row) {
                if (!(value >= 0.0 && value <= 1.0)) {
                    if (invalid == 0) {
                        firstInvalid = value;
                    }
                    invalid++;
                }
            }
        }
        if (invalid > 0) {
            throw new IllegalArgumentException(String.format(
                    "%s contains %d values that are NaN or outside [0, 1] (first: %s). Clip or rescale the "
                            + "pixels to [0, 1].", name, invalid, firstInvalid));
        }
        return pixels;
    }
}
