package io.github.dl4jsparsity.examples;

import java.nio.file.Files;
import java.nio.file.Path;

import io.github.dl4jsparsity.data.FashionMnist;
import io.github.dl4jsparsity.data.FashionMnistData;
import io.github.dl4jsparsity.penalty.PenaltyScaling;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options shared by {@code train} and {@code compare}: data, schedule, optimizer and penalty scaling. */
final class TrainingOptions {

    @Option(names = "--data", paramLabel = "DIR", description = "Directory with the four Fashion-MNIST IDX files "
            + "(gzipped or not). Default: $FASHION_MNIST_DIR, then /usr/share/datasets/fashion-mnist, then the "
            + "embedded subset of 5,000 training and 1,000 test images.")
    Path data;

    @Option(names = "--embedded", description = "Use the embedded subset even when --data, $FASHION_MNIST_DIR or "
            + "the Debian directory is available.")
    boolean embedded;

    @Option(names = "--output", paramLabel = "DIR", description = "Directory for reports, figures and models. "
            + "Default: ${DEFAULT-VALUE}.", defaultValue = "runs")
    Path output;

    @Option(names = "--epochs", description = "Number of passes over the training images. Default: "
            + "${DEFAULT-VALUE}.", defaultValue = "10")
    int epochs;

    @Option(names = "--batch-size", description = "Minibatch size in images. Default: ${DEFAULT-VALUE} (the "
            + "Keras default the book uses).", defaultValue = "32")
    int batchSize;

    @Option(names = "--seed", description = "Seed of weight initialization and shuffling. Default: "
            + "${DEFAULT-VALUE}.", defaultValue = "42")
    long seed;

    @Option(names = "--optimizer", description = "Optimizer: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}, "
            + "as in the book.", defaultValue = "SGD")
    Optimizer optimizer;

    @Option(names = "--learning-rate", description = "Learning rate in DL4J's units. Default: 4/784 = 0.0051020 "
            + "for SGD (Keras rate 4.0 divided by 784, because DL4J sums the loss over pixels; the book uses 1.0, "
            + "which is 1/784 here), 1e-3 for "
            + "ADAM and NADAM, 0.1/784 = 0.00012755 for NESTEROVS (momentum 0.9).")
    Double learningRate;

    @Option(names = "--target", description = "Target sparsity p of the KL penalty, in (0, 1). Default: "
            + "${DEFAULT-VALUE}.", defaultValue = "0.1")
    double target;

    @Option(names = "--scaling", description = "How the penalty scales with the minibatch size: PER_EXAMPLE "
            + "(divided by the minibatch size, as tf.keras 2 does) or PER_MINIBATCH (added once per minibatch). "
            + "Default: ${DEFAULT-VALUE}.", defaultValue = "PER_EXAMPLE")
    PenaltyScaling scaling;

    @Option(names = "--max-train", paramLabel = "N", description = "Use only the first N training images (all of "
            + "them when N is larger). Default: all.")
    Integer maxTrain;

    @Option(names = "--max-test", paramLabel = "N", description = "Use only the first N test images (all of them "
            + "when N is larger). Default: all.")
    Integer maxTest;

    /** Checks the ranges picocli cannot check by type, before any data is read or network trained. */
    void validate(CommandLine commandLine) {
        if (embedded && data != null) {
            throw new CommandLine.ParameterException(commandLine, "Invalid options: --embedded and --data " + data
                    + " exclude each other; pass one of them");
        }
        if (!(target > 0 && target < 1)) {
            throw new CommandLine.ParameterException(commandLine, "Invalid --target " + target + ": the target "
                    + "sparsity must lie in (0, 1), for example 0.1");
        }
        if (maxTrain != null && maxTrain < 1) {
            throw new CommandLine.ParameterException(commandLine, "Invalid --max-train " + maxTrain
                    + ": it must be >= 1");
        }
        if (maxTest != null && maxTest < 1) {
            throw new CommandLine.ParameterException(commandLine, "Invalid --max-test " + maxTest
                    + ": it must be >= 1");
        }
        if (Files.exists(output) && !Files.isDirectory(output)) {
            throw new CommandLine.ParameterException(commandLine, "Invalid --output " + output + ": it is a file, "
                    + "not a directory; pass a directory, which is created if missing");
        }
        if (epochs < 1) {
            throw new CommandLine.ParameterException(commandLine, "Invalid --epochs " + epochs + ": it must be >= 1");
        }
        if (batchSize < 1) {
            throw new CommandLine.ParameterException(commandLine, "Invalid --batch-size " + batchSize
                    + ": it must be >= 1");
        }
        if (learningRate != null && (!(learningRate > 0) || Double.isInfinite(learningRate))) {
            throw new CommandLine.ParameterException(commandLine, "Invalid --learning-rate " + learningRate
                    + ": it must be a finite number > 0");
        }
    }

    /** Returns the learning rate given on the command line, or the optimizer's default. */
    double effectiveLearningRate() {
        return learningRate != null ? learningRate : optimizer.defaultLearningRate();
    }

    /** Checks that a penalty weight option is finite and at least 0. */
    static void validateWeight(CommandLine commandLine, String option, Double value) {
        if (value != null && (!(value >= 0) || Double.isInfinite(value))) {
            throw new CommandLine.ParameterException(commandLine, "Invalid " + option + " " + value + ": the "
                    + "penalty weight must be a finite number >= 0");
        }
        if (value != null && value > Float.MAX_VALUE) {
            throw new CommandLine.ParameterException(commandLine, "Invalid " + option + " " + value + ": the "
                    + "example network computes in float32, so the penalty weight must be at most "
                    + Float.MAX_VALUE);
        }
    }

    /** Loads the data from the first available source. */
    FashionMnistData load() {
        FashionMnist.Builder builder = FashionMnist.builder().dataDirectory(data);
        if (embedded) {
            builder.embeddedOnly();
        }
        if (maxTrain != null) {
            builder.maxTrainImages(maxTrain);
        }
        if (maxTest != null) {
            builder.maxTestImages(maxTest);
        }
        return builder.build().load();
    }
}
