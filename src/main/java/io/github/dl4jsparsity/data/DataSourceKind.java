package io.github.dl4jsparsity.data;

/**
 * Where {@link FashionMnist} found the dataset, in the order it checks the sources.
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
