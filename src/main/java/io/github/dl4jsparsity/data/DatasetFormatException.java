package io.github.dl4jsparsity.data;

/**
 * Unchecked exception for a dataset file or directory that is missing, unreadable, truncated or not in the
 * expected format. The message names the file or directory and what was wrong with it.
 */
public class DatasetFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message that names the file and the problem.
     *
     * @param message description of the failure, including the file path
     */
    public DatasetFormatException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message that names the file and the problem, keeping the I/O error that caused it.
     *
     * @param message description of the failure, including the file path
     * @param cause   underlying I/O error
     */
    public DatasetFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
