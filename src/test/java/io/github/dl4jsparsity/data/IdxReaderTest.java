package io.github.dl4jsparsity.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    /** Builds IDX bytes by hand: big-endian header integers followed by the data bytes. */
    private static byte[] idx(int[] header, byte[] data) {
        ByteBuffer buffer = ByteBuffer.allocate(header.length * Integer.BYTES + data.length);
        for (int value : header) {
            buffer.putInt(value);
        }
        buffer.put(data);
        return buffer.array();
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    /** Two 2x3 images: {0, 1, 2, 128, 254, 255} and {255, 0, 7, 8, 9, 200}. */
    private static byte[] twoImages() {
        byte[] pixels = {0, 1, 2, (byte) 128, (byte) 254, (byte) 255, (byte) 255, 0, 7, 8, 9, (byte) 200};
        return idx(new int[] {2051, 2, 2, 3}, pixels);
    }

    private static void assertTwoImages(IdxImages images) {
        assertEquals(2, images.count());
        assertEquals(2, images.rows());
        assertEquals(3, images.columns());
        assertEquals(0, images.pixel(0, 0, 0));
        assertEquals(2, images.pixel(0, 0, 2));
        assertEquals(128, images.pixel(0, 1, 0));
        assertEquals(254, images.pixel(0, 1, 1));
        assertEquals(255, images.pixel(0, 1, 2));
        assertEquals(255, images.pixel(1, 0, 0));
        assertEquals(7, images.pixel(1, 0, 2));
        assertEquals(200, images.pixel(1, 1, 2));
    }

    @Test
    void readsPlainImageFile() throws IOException {
        Path file = write("images-idx3-ubyte", twoImages());

        IdxImages images = IdxReader.readImages(file);

        assertTwoImages(images);
        assertEquals(file.toString(), images.source());
    }

    @Test
    void readsGzippedImageFileWithoutGzSuffix() throws IOException {
        Path file = write("images-idx3-ubyte", gzip(twoImages()));

        assertTwoImages(IdxReader.readImages(file));
    }

    @Test
    void readsPlainImageFileWithGzSuffix() throws IOException {
        Path file = write("images-idx3-ubyte.gz", twoImages());

        assertTwoImages(IdxReader.readImages(file));
    }

    @Test
    void readsImagesFromStream() {
        IdxImages images = IdxReader.readImages(new ByteArrayInputStream(twoImages()), "memory");

        assertTwoImages(images);
        assertEquals("memory", images.source());
    }

    @Test
    void readsPlainAndGzippedLabels() throws IOException {
        byte[] labels = idx(new int[] {2049, 4}, new byte[] {0, 9, 3, (byte) 255});
        Path plain = write("labels-idx1-ubyte", labels);
        Path gzipped = write("labels-idx1-ubyte.gz", gzip(labels));

        assertArrayEquals(new int[] {0, 9, 3, 255}, IdxReader.readLabels(plain));
        assertArrayEquals(new int[] {0, 9, 3, 255}, IdxReader.readLabels(gzipped));
    }

    @Test
    void readsEmptyImageFile() throws IOException {
        Path file = write("empty-idx3-ubyte", idx(new int[] {2051, 0, 28, 28}, new byte[0]));

        IdxImages images = IdxReader.readImages(file);

        assertEquals(0, images.count());
        assertEquals(28, images.rows());
    }

    @Test
    void truncatedPixelDataNamesSizes() throws IOException {
        Path file = write("short-idx3-ubyte", idx(new int[] {2051, 3, 2, 2}, new byte[5]));

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(file));

        assertEquals("Truncated IDX file " + file + ": expected 12 bytes of pixel data for 3 images of 2x2, found 5",
                e.getMessage());
    }

    @Test
    void truncatedGzippedContentNamesSizes() throws IOException {
        Path file = write("short-idx3-ubyte.gz", gzip(idx(new int[] {2051, 2, 28, 28}, new byte[1000])));

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(file));

        assertEquals("Truncated IDX file " + file + ": expected 1568 bytes of pixel data for 2 images of 28x28, "
                + "found 1000", e.getMessage());
    }

    @Test
    void cutGzipStreamIsTruncated() throws IOException {
        byte[] pixels = new byte[100 * 20 * 20];
        new Random(7).nextBytes(pixels);
        byte[] compressed = gzip(idx(new int[] {2051, 100, 20, 20}, pixels));
        Path file = write("cut-idx3-ubyte.gz", Arrays.copyOf(compressed, compressed.length / 2));

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(file));

        String prefix = "Truncated IDX file " + file + ": expected 40000 bytes of pixel data for 100 images of 20x20, "
                + "found ";
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        int found = Integer.parseInt(e.getMessage().substring(prefix.length()));
        assertTrue(found > 0, "found " + found);
        assertTrue(found < 40000, "found " + found);
    }

    @Test
    void missingGzipTrailerIsTruncated() throws IOException {
        byte[] compressed = gzip(twoImages());
        Path file = write("no-trailer-idx3-ubyte.gz", Arrays.copyOf(compressed, compressed.length - 8));

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(file));

        assertEquals("Truncated IDX file " + file + ": the gzip trailer is missing", e.getMessage());
    }

    @Test
    void truncatedHeaderNamesLength() throws IOException {
        byte[] bytes = Arrays.copyOf(idx(new int[] {2051, 1}, new byte[0]), 7);
        Path file = write("header-idx3-ubyte", bytes);

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(file));

        assertEquals("Truncated IDX file " + file + ": expected a header of 16 bytes for an image file, found 7 bytes",
                e.getMessage());
    }

    @Test
    void emptyLabelFileIsTruncated() throws IOException {
        Path file = write("labels-idx1-ubyte", new byte[0]);

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readLabels(file));

        assertEquals("Truncated IDX file " + file + ": expected a header of 8 bytes for a label file, found 0 bytes",
                e.getMessage());
    }

    @Test
    void truncatedLabelDataNamesSizes() throws IOException {
        Path file = write("labels-idx1-ubyte", idx(new int[] {2049, 60000}, new byte[10]));

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readLabels(file));

        assertEquals("Truncated IDX file " + file + ": expected 60000 bytes of label data for 60000 labels, found 10",
                e.getMessage());
    }

    @Test
    void wrongImageMagicIsInvalid() throws IOException {
        Path file = write("train-images-idx3-ubyte.gz", gzip(idx(new int[] {1234, 1, 1, 1}, new byte[1])));

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(file));

        assertEquals("Invalid IDX file " + file + ": magic number 1234, expected 2051 for an image file",
                e.getMessage());
    }

    @Test
    void labelFileReadAsImagesIsInvalid() throws IOException {
        Path file = write("labels-idx1-ubyte", idx(new int[] {2049, 1}, new byte[1]));

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(file));

        assertEquals("Invalid IDX file " + file + ": magic number 2049, expected 2051 for an image file",
                e.getMessage());
    }

    @Test
    void imageFileReadAsLabelsIsInvalid() throws IOException {
        Path file = write("images-idx3-ubyte", twoImages());

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readLabels(file));

        assertEquals("Invalid IDX file " + file + ": magic number 2051, expected 2049 for a label file",
                e.getMessage());
    }

    @Test
    void extraBytesAreInvalid() throws IOException {
        Path file = write("long-idx3-ubyte", idx(new int[] {2051, 2, 2, 2}, new byte[9]));

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(file));

        assertEquals("Invalid IDX file " + file + ": extra bytes after the 8 bytes of pixel data for 2 images of 2x2",
                e.getMessage());
    }

    @Test
    void negativeCountIsInvalid() throws IOException {
        Path file = write("images-idx3-ubyte", idx(new int[] {2051, -5, 28, 28}, new byte[0]));

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(file));

        assertEquals("Invalid IDX file " + file + ": image count -5 is negative", e.getMessage());
    }

    @Test
    void zeroRowsIsInvalid() throws IOException {
        Path file = write("images-idx3-ubyte", idx(new int[] {2051, 1, 0, 28}, new byte[0]));

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(file));

        assertEquals("Invalid IDX file " + file + ": image size 0x28, expected at least 1x1", e.getMessage());
    }

    @Test
    void oversizedHeaderIsInvalid() throws IOException {
        Path file = write("images-idx3-ubyte", idx(new int[] {2051, 100000, 1000, 1000}, new byte[0]));

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(file));

        assertEquals("Invalid IDX file " + file + ": 100000 images of 1000x1000 need 100000000000 bytes of pixel "
                + "data, more than the 2147483639 bytes a Java array can contain", e.getMessage());
    }

    @Test
    void corruptGzipIsInvalid() throws IOException {
        Path file = write("images-idx3-ubyte.gz", new byte[] {0x1f, (byte) 0x8b, 5, 0, 0, 0, 0, 0, 0, 0, 1, 2});

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(file));

        assertEquals("Invalid IDX file " + file + ": corrupt gzip data (Unsupported compression method)",
                e.getMessage());
    }

    @Test
    void missingFileIsNotFound() {
        Path file = dir.resolve("train-images-idx3-ubyte.gz");

        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readImages(file));

        assertEquals("IDX file not found: " + file, e.getMessage());
    }

    @Test
    void directoryIsRejected() {
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> IdxReader.readLabels(dir));

        assertEquals("IDX path is a directory, not a file: " + dir, e.getMessage());
    }

    @Test
    void writerOutputReadsBack() throws IOException {
        IdxImages images = IdxReader.readImages(new ByteArrayInputStream(twoImages()), "memory");
        Path gzipped = dir.resolve("one-idx3-ubyte.gz");
        Path plain = dir.resolve("one-idx3-ubyte");
        Path labels = dir.resolve("one-idx1-ubyte.gz");

        IdxWriter.writeImages(gzipped, images, 1, true);
        IdxWriter.writeImages(plain, images, 2, false);
        IdxWriter.writeLabels(labels, new int[] {4, 255, 1}, 2, true);

        byte[] gzippedBytes = Files.readAllBytes(gzipped);
        assertEquals(0x1f, gzippedBytes[0] & 0xff);
        assertEquals(0x8b, gzippedBytes[1] & 0xff);
        IdxImages first = IdxReader.readImages(gzipped);
        assertEquals(1, first.count());
        assertArrayEquals(Arrays.copyOf(images.copyPixels(), 6), first.copyPixels());
        assertArrayEquals(twoImages(), Files.readAllBytes(plain));
        assertArrayEquals(new int[] {4, 255}, IdxReader.readLabels(labels));
    }

    @Test
    void writerRejectsOutOfRangeArguments() {
        IdxImages images = IdxReader.readImages(new ByteArrayInputStream(twoImages()), "memory");
        Path file = dir.resolve("out");

        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> IdxWriter.writeImages(file, images, 3, false));
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> IdxWriter.writeLabels(file, new int[] {1, 256}, 2, false));

        assertEquals("count must be in [0, 2], got 3", count.getMessage());
        assertEquals("labels[1] must be in [0, 255], got 256", label.getMessage());
    }

    @Test
    void imagesRejectMismatchedPixelLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IdxImages("memory", 2, 2, 2, new byte[7]));

        assertEquals("pixels length must be count * rows * columns = 8, got 7", e.getMessage());
    }
}
