package io.github.dl4jsparsity.examples;

import java.util.List;
import java.util.concurrent.Callable;

import io.github.dl4jsparsity.data.FashionMnistData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code train} command: one run of the book's autoencoder with a chosen penalty. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train the sparse autoencoder of Hands-On Machine Learning, chapter 17, once on Fashion-MNIST "
                + "and write report.md, report.json and figures.")
final class TrainCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(TrainCommand.class);

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--penalty", description = "Penalty on the coding layer: ${COMPLETION-CANDIDATES}. Default: "
            + "${DEFAULT-VALUE}.", defaultValue = "KL")
    PenaltyChoice penalty;

    @Option(names = "--weight", description = "Penalty weight beta in DL4J's units. Default: a Keras weight times "
            + "784 (KL 0.0125 -> 9.8, L1 1e-3 -> 0.784 with PER_EXAMPLE; divided by the minibatch size with "
            + "PER_MINIBATCH). The book's KL weight 0.05 is 39.2.")
    Double weight;

    @Option(names = "--save-model", description = "Also write the trained network as model.zip with "
            + "ModelSerializer, updater state included.")
    boolean saveModel;

    @Mixin
    TrainingOptions options;

    @Override
    public Integer call() throws Exception {
        options.validate(spec.commandLine());
        TrainingOptions.validateWeight(spec.commandLine(), "--weight", weight);
        if (penalty == PenaltyChoice.NONE && weight != null && weight != 0.0) {
            log.warn("--weight {} is ignored because --penalty none trains without a penalty", weight);
        }
        FashionMnistData data = options.load();
        log.info("Data: {}", data.description());
        double beta = weight != null ? weight
                : GeronAutoencoder.defaultWeight(penalty, options.scaling, options.batchSize);
        GeronAutoencoder.Settings settings = new GeronAutoencoder.Settings(penalty, options.target, beta,
                options.scaling, options.optimizer, options.effectiveLearningRate(), options.seed);
        Trainer trainer = new Trainer(data, options.epochs, options.batchSize, System.err);
        RunResult result = trainer.run(penalty.label(), settings, options.output.resolve(penalty.label()),
                saveModel);
        String table = ReportWriter.write(options.output, data.description(), options.epochs, options.batchSize,
                List.of(result));
        System.out.println(table);
        log.info("Report and figures written to {}", options.output.toAbsolutePath());
        return 0;
    }
}
