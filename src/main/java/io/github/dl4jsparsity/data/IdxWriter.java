package io.github.dl4jsparsity.data;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;

/**
 * Writes IDX image files (magic number 2051) and IDX label files (magic number 2049) in the layout that
 * {@link IdxReader} reads: big-endian 32-bit header integers followed by one unsigned byte per pixel or label.
 *
 * <p>With {@code gzip} set, the output is gzip-compressed. {@link GZIPOutputStream} writes a zero modification time,
 * so the same input gives the same bytes on the same JDK.
 */
public final class IdxWriter {

    private static final int BUFFER_BYTES = 1 << 16;

    private IdxWriter() {
    }

    /**
     * Writes the first {@code count} images of an image set to an IDX image file, replacing any existing file.
     *
     * @param file   output path
     * @param images images to take from
     * @param count  number of leading images to write, in [0, images.count()]
     * @param gzip   whether to gzip-compress the file
     * @throws IllegalArgumentException if {@code count} is out of range
     * @throws IOException              if the file cannot be written
     */
    public static void writeImages(Path file, IdxImages images, int count, boolean gzip) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(images, "images");
        if (count < 0 || count > images.count()) {
            throw new IllegalArgumentException("count must be in [0, " + images.count() + "], got " + count);
        }
        try (DataOutputStream out = open(file, gzip)) {
            out.writeInt(IdxReader.IMAGE_MAGIC);
            out.writeInt(count);
            out.writeInt(images.rows());
            out.writeInt(images.columns());
            out.write(images.pixelArray(), 0, count * images.pixelsPerImage());
        }
    }

    /**
     * Writes the first {@code count} labels to an IDX label file, replacing any existing file.
     *
     * @param file   output path
     * @param labels labels to take from, each in [0, 255]
     * @param count  number of leading labels to write, in [0, labels.length]
     * @param gzip   whether to gzip-compress the file
     * @throws IllegalArgumentException if {@code count} or a label is out of range
     * @throws IOException              if the file cannot be written
     */
    public static void writeLabels(Path file, int[] labels, int count, boolean gzip) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(labels, "labels");
        if (count < 0 || count > labels.length) {
            throw new IllegalArgumentException("count must be in [0, " + labels.length + "], got " + count);
        }
        byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] > 255) {
                throw new IllegalArgumentException("labels[" + i + "] must be in [0, 255], got " + labels[i]);
            }
            bytes[i] = (byte) labels[i];
        }
        try (DataOutputStream out = open(file, gzip)) {
            out.writeInt(IdxReader.LABEL_MAGIC);
            out.writeInt(count);
            out.write(bytes);
        }
    }

    private static DataOutputStream open(Path file, boolean gzip) throws IOException {
        OutputStream out = Files.newOutputStream(file);
        try {
            OutputStream encoded = gzip ? new GZIPOutputStream(out, BUFFER_BYTES) : out;
            return new DataOutputStream(new BufferedOutputStream(encoded, BUFFER_BYTES));
        } catch (IOException e) {
            out.close();
            throw e;
        }
    }
}
