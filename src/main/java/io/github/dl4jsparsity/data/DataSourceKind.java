package io.github.dl4jsparsity.data;

/**
 * Kind of source that {@link FashionMnist} loaded the dataset from, listed in the order the sources are checked.
 */
public enum DataSourceKind {

    /** Directory passed by the caller, for example from a {@code --data DIR} command-line option. */
    EXPLICIT_DIRECTORY,

    /** Directory named by the {@code FASHION_MNIST_DIR} environment variable. */
    ENVIRONMENT_VARIABLE,

    /** Directory {@code /usr/share/datasets/fashion-mnist} installed by the Debian package dataset-fashion-mnist. */
    DEBIAN_PACKAGE,

    /** First 5,000 training and 1,000 test images of the official files, shipped as classpath resources. */
    EMBEDDED_SUBSET
}
