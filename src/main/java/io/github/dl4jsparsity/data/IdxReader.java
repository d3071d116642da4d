package io.github.dl4jsparsity.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX image files (magic number 2051) and IDX label files (magic number 2049), the format of the MNIST and
 * Fashion-MNIST distributions.
 *
 * <p>An image file has a 16-byte header of big-endian 32-bit integers (magic, image count, rows, columns) followed by
 * {@code count * rows * columns} unsigned pixel bytes. A label file has an 8-byte header (magic, label count)
 * followed by one unsigned byte per label. Either file may be gzip-compressed. The reader detects compression from
 * the gzip magic bytes {@code 0x1f 0x8b} at the start of the data, not from the file name.
 *
 * <p>Every file is read and checked to its end, so a truncated file, a file with extra bytes after the data, a wrong
 * magic number or corrupt gzip data raises {@link DatasetFormatException} with a message that names the file.
 */
public final class IdxReader {

    /** Magic number of an IDX file of unsigned-byte images with 3 dimensions (0x00000803). */
    public static final int IMAGE_MAGIC = 2051;

    /** Magic number of an IDX file of unsigned-byte labels with 1 dimension (0x00000801). */
    public static final int LABEL_MAGIC = 2049;

    private static final int IMAGE_HEADER_BYTES = 16;
    private static final int LABEL_HEADER_BYTES = 8;
    private static final int GZIP_MAGIC_FIRST = 0x1f;
    private static final int GZIP_MAGIC_SECOND = 0x8b;
    private static final int BUFFER_BYTES = 1 << 16;

    // HotSpot rejects arrays of close to Integer.MAX_VALUE elements, so this limit stays 8 below it, as the JDK does.
    private static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

    private IdxReader() {
    }

    /**
     * Reads an IDX image file, gzip-compressed or plain.
     *
     * @param file path of the file
     * @return all images in the file
     * @throws DatasetFormatException if the file is missing, unreadable, truncated or not an IDX image file
     */
    public static IdxImages readImages(Path file) {
        Objects.requireNonNull(file, "file");
        try (InputStream in = openFile(file)) {
            return readImages(in, file.toString());
        } catch (IOException e) {
            throw new DatasetFormatException("Failed to read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads IDX image data, gzip-compressed or plain, from a stream to its end. The stream is not closed.
     *
     * @param in     stream positioned at the start of the file
     * @param source file path or resource name to put in error messages
     * @return all images in the data
     * @throws DatasetFormatException if the data is unreadable, truncated or not an IDX image file
     */
    public static IdxImages readImages(InputStream in, String source) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(source, "source");
        try {
            DecodedStream data = decode(in, source);
            ByteBuffer header = readHeader(data, source, IMAGE_HEADER_BYTES, IMAGE_MAGIC, "an image file");
            int count = header.getInt();
            int rows = header.getInt();
            int columns = header.getInt();
            if (count < 0) {
                throw invalid(source, "image count " + count + " is negative");
            }
            if (rows < 1 || columns < 1) {
                throw invalid(source, "image size " + rows + "x" + columns + ", expected at least 1x1");
            }
            String contents = images(count) + " of " + rows + "x" + columns;
            long expected = (long) count * rows * columns;
            if (expected > MAX_ARRAY_BYTES) {
                throw invalid(source, contents + " need " + expected + " bytes of pixel data, more than the "
                        + MAX_ARRAY_BYTES + " bytes a Java array can contain");
            }
            byte[] pixels = readBody(data, source, (int) expected, "pixel data for " + contents);
            return IdxImages.wrap(source, count, rows, columns, pixels);
        } catch (ZipException e) {
            throw invalid(source, "corrupt gzip data (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new DatasetFormatException("Failed to read IDX file " + source + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads an IDX label file, gzip-compressed or plain.
     *
     * @param file path of the file
     * @return one label per entry, each an unsigned byte value in [0, 255]
     * @throws DatasetFormatException if the file is missing, unreadable, truncated or not an IDX label file
     */
    public static int[] readLabels(Path file) {
        Objects.requireNonNull(file, "file");
        try (InputStream in = openFile(file)) {
            return readLabels(in, file.toString());
        } catch (IOException e) {
            throw new DatasetFormatException("Failed to read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads IDX label data, gzip-compressed or plain, from a stream to its end. The stream is not closed.
     *
     * @param in     stream positioned at the start of the file
     * @param source file path or resource name to put in error messages
     * @return one label per entry, each an unsigned byte value in [0, 255]
     * @throws DatasetFormatException if the data is unreadable, truncated or not an IDX label file
     */
    public static int[] readLabels(InputStream in, String source) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(source, "source");
        try {
            DecodedStream data = decode(in, source);
            ByteBuffer header = readHeader(data, source, LABEL_HEADER_BYTES, LABEL_MAGIC, "a label file");
            int count = header.getInt();
            if (count < 0) {
                throw invalid(source, "label count " + count + " is negative");
            }
            String contents = "label data for " + count + (count == 1 ? " label" : " labels");
            byte[] bytes = readBody(data, source, count, contents);
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = Byte.toUnsignedInt(bytes[i]);
            }
            return labels;
        } catch (ZipException e) {
            throw invalid(source, "corrupt gzip data (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new DatasetFormatException("Failed to read IDX file " + source + ": " + e.getMessage(), e);
        }
    }

    private static InputStream openFile(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new DatasetFormatException("IDX path is a directory, not a file: " + file);
        }
        if (!Files.exists(file)) {
            throw new DatasetFormatException("IDX file not found: " + file);
        }
        return Files.newInputStream(file);
    }

    /** Wraps the stream in a gzip decoder when its first two bytes are the gzip magic bytes. */
    private static DecodedStream decode(InputStream in, String source) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, BUFFER_BYTES);
        buffered.mark(2);
        int first = buffered.read();
        int second = buffered.read();
        buffered.reset();
        if (first != GZIP_MAGIC_FIRST || second != GZIP_MAGIC_SECOND) {
            return new DecodedStream(buffered);
        }
        try {
            return new DecodedStream(new GZIPInputStream(buffered, BUFFER_BYTES));
        } catch (EOFException e) {
            throw truncated(source, "the gzip header ends early");
        }
    }

    private static ByteBuffer readHeader(DecodedStream data, String source, int headerBytes, int magic, String kind)
            throws IOException {
        byte[] header = data.readNBytes(headerBytes);
        if (header.length >= Integer.BYTES) {
            int found = ByteBuffer.wrap(header).getInt();
            if (found != magic) {
                throw invalid(source, "magic number " + found + ", expected " + magic + " for " + kind);
            }
        }
        if (header.length < headerBytes) {
            throw truncated(source, "expected a header of " + headerBytes + " bytes for " + kind + ", found "
                    + header.length + (header.length == 1 ? " byte" : " bytes"));
        }
        ByteBuffer buffer = ByteBuffer.wrap(header);
        buffer.getInt();
        return buffer;
    }

    /** Reads exactly {@code length} bytes and checks that the data ends right after them. */
    private static byte[] readBody(DecodedStream data, String source, int length, String contents)
            throws IOException {
        // readNBytes grows its buffer while it reads, so a header that claims too much data does not
        // allocate the full claimed size up front.
        byte[] body = data.readNBytes(length);
        if (body.length < length) {
            throw truncated(source, "expected " + length + " bytes of " + contents + ", found " + body.length);
        }
        if (data.read() != -1) {
            throw invalid(source, "extra bytes after the " + length + " bytes of " + contents);
        }
        if (data.endedEarly) {
            // The data is complete but the gzip trailer with its CRC-32 and length is cut off.
            throw truncated(source, "the gzip trailer is missing");
        }
        return body;
    }

    private static String images(int count) {
        return count + (count == 1 ? " image" : " images");
    }

    private static DatasetFormatException invalid(String source, String problem) {
        return new DatasetFormatException("Invalid IDX file " + source + ": " + problem);
    }

    private static DatasetFormatException truncated(String source, String problem) {
        return new DatasetFormatException("Truncated IDX file " + source + ": " + problem);
    }

    /**
     * Stream that reports end of data instead of throwing when a gzip stream stops before its end.
     * {@link GZIPInputStream} throws {@link EOFException} in that case, which would hide how many bytes were read.
     */
    private static final class DecodedStream extends FilterInputStream {

        private boolean endedEarly;

        DecodedStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (EOFException e) {
                endedEarly = true;
                return -1;
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return super.read(buffer, offset, length);
            } catch (EOFException e) {
                endedEarly = true;
                return -1;
            }
        }
    }
}
