package io.github.dl4jsparsity.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PNG output shared by the figure writers. It creates parent directories and reports failures as an
 * {@link IOException} that names the output path. Rendering goes to off-screen images only, so it also runs with
 * {@code java.awt.headless=true}.
 */
final class PngFiles {

    /** Upper bound on a panel width or height, so that a typo cannot request a multi-gigabyte image. */
    static final int MAX_PIXELS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(PngFiles.class);

    private PngFiles() {
    }

    /** Writes the charts as one PNG, laid out in a grid of {@code rows} x {@code columns} panels. */
    static void writeCharts(List<? extends Chart<?, ?>> charts, int rows, int columns, Path output, String figure)
            throws IOException {
        Path target = prepare(output, figure);
        try (OutputStream stream = Files.newOutputStream(target)) {
            BitmapEncoder.saveBitmap(charts, rows, columns, stream, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException | RuntimeException e) {
            throw new IOException("Failed to write " + figure + " PNG to " + target + ": " + e, e);
        }
        LOG.info("Wrote {} to {}", figure, target);
    }

    /** Writes an image as PNG. */
    static void writeImage(BufferedImage image, Path output, String figure) throws IOException {
        Path target = prepare(output, figure);
        boolean written;
        try {
            written = ImageIO.write(image, "png", target.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException("Failed to write " + figure + " PNG to " + target + ": " + e, e);
        }
        if (!written) {
            throw new IOException("Failed to write " + figure + " PNG to " + target
                    + ": no ImageIO writer accepts image type " + image.getType());
        }
        LOG.info("Wrote {} to {}", figure, target);
    }

    private static Path prepare(Path output, String figure) throws IOException {
        Objects.requireNonNull(output, "output must not be null");
        Path target = output.toAbsolutePath();
        Path parent = target.getParent();
        if (parent != null) {
            try {
                Files.createDirectories(parent);
            } catch (IOException e) {
                throw new IOException("Failed to create the directory " + parent + " for the " + figure
                        + " PNG " + target + ": " + e, e);
            }
        }
        return target;
    }

    /** Rejects a width or height outside [1, {@value #MAX_PIXELS}] pixels. */
    static void validateSize(String name, int pixels) {
        if (pixels < 1 || pixels > MAX_PIXELS) {
            throw new IllegalArgumentException(
                    name + " must be between 1 and " + MAX_PIXELS + " pixels, but was " + pixels);
        }
    }
}
