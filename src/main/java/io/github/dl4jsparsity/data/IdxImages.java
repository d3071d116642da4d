package io.github.dl4jsparsity.data;

import java.util.Objects;

/**
 * Images read from an IDX image file (magic number 2051): {@code count} grayscale images of {@code rows x columns}
 * unsigned 8-bit pixels, stored image after image in row-major order. Pixel values are in [0, 255].
 *
 * <p>Instances are immutable: the constructor and {@link #copyPixels()} copy the pixel array.
 */
public final class IdxImages {

    private final String source;
    private final int count;
    private final int rows;
    private final int columns;
    private final byte[] pixels;

    /**
     * Creates an image set from raw pixel bytes.
     *
     * @param source  file path or resource name the images came from, used in messages
     * @param count   number of images, at least 0
     * @param rows    pixel rows per image, at least 1
     * @param columns pixel columns per image, at least 1
     * @param pixels  {@code count * rows * columns} unsigned bytes, image after image, each image row-major
     * @throws IllegalArgumentException if a size is out of range or the array length does not match
     */
    public IdxImages(String source, int count, int rows, int columns, byte[] pixels) {
        this(source, count, rows, columns, Objects.requireNonNull(pixels, "pixels").clone(), true);
    }

    private IdxImages(String source, int count, int rows, int columns, byte[] pixels, boolean validate) {
        this.source = Objects.requireNonNull(source, "source");
        if (validate) {
            checkSizes(count, rows, columns, pixels.length);
        }
        this.count = count;
        this.rows = rows;
        this.columns = columns;
        this.pixels = pixels;
    }

    /** Wraps an array that the caller owns no longer, so the reader does not copy 47 MB a second time. */
    static IdxImages wrap(String source, int count, int rows, int columns, byte[] pixels) {
        checkSizes(count, rows, columns, pixels.length);
        return new IdxImages(source, count, rows, columns, pixels, false);
    }

    private static void checkSizes(int count, int rows, int columns, int pixelLength) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be at least 0, got " + count);
        }
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be at least 1, got " + rows);
        }
        if (columns < 1) {
            throw new IllegalArgumentException("columns must be at least 1, got " + columns);
        }
        long expected = (long) count * rows * columns;
        if (pixelLength != expected) {
            throw new IllegalArgumentException("pixels length must be count * rows * columns = " + expected
                    + ", got " + pixelLength);
        }
    }

    /** File path or resource name the images were read from. */
    public String source() {
        return source;
    }

    /** Number of images. */
    public int count() {
        return count;
    }

    /** Pixel rows per image. */
    public int rows() {
        return rows;
    }

    /** Pixel columns per image. */
    public int columns() {
        return columns;
    }

    /** Number of pixels per image, {@code rows * columns}. */
    public int pixelsPerImage() {
        return rows * columns;
    }

    /**
     * Returns one pixel as an unsigned value.
     *
     * @param image  image index in [0, count)
     * @param row    pixel row in [0, rows)
     * @param column pixel column in [0, columns)
     * @return pixel intensity in [0, 255]
     * @throws IndexOutOfBoundsException if an index is out of range
     */
    public int pixel(int image, int row, int column) {
        Objects.checkIndex(image, count);
        Objects.checkIndex(row, rows);
        Objects.checkIndex(column, columns);
        return Byte.toUnsignedInt(pixels[(image * rows + row) * columns + column]);
    }

    /** Returns a copy of all pixel bytes, image after image; read each byte with {@link Byte#toUnsignedInt}. */
    public byte[] copyPixels() {
        return pixels.clone();
    }

    /** Returns the backing array without a copy; callers in this package must not modify it. */
    byte[] pixelArray() {
        return pixels;
    }
}
