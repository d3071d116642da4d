package io.github.dl4jsparsity.examples;

import io.github.dl4jsparsity.data.DatasetFormatException;
import org.deeplearning4j.exception.DL4JInvalidConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Command line of the example job: the sparse autoencoder of Géron, Hands-On Machine Learning, chapter 17, trained
 * with this library on Fashion-MNIST. Subcommands: {@code train}, {@code compare}, {@code plot-penalties}.
 */
@Command(name = "sparse-autoencoder", mixinStandardHelpOptions = true, version = "dl4j-sparsity 0.1.0",
        description = "Sparse autoencoders on Fashion-MNIST with DL4J and the dl4j-sparsity penalties.",
        subcommands = {TrainCommand.class, CompareCommand.class, PlotPenaltiesCommand.class})
public final class SparseAutoencoderCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: use train, compare or "
                + "plot-penalties");
    }

    /** Returns a command line with case-insensitive enum values and short error messages for bad data. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new SparseAutoencoderCli());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler((error, cmd, parseResult) -> {
            if (error instanceof DatasetFormatException || error instanceof DL4JInvalidConfigException
                    || error instanceof IllegalArgumentException) {
                cmd.getErr().println("Error: " + error.getMessage());
                return 2;
            }
            if (error instanceof IllegalStateException) {
                // Training failed, for example because it diverged; the message names the cause and the fix.
                cmd.getErr().println("Error: " + error.getMessage());
                return 1;
            }
            if (error instanceof java.io.IOException) {
                cmd.getErr().println("Error: failed to write the outputs: " + error);
                return 1;
            }
            throw error;
        });
        return commandLine;
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
