package io.github.dl4jsparsity.examples;

import java.util.ArrayList;
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

/** The {@code compare} command: the same network without a penalty, with L1 and with KL, side by side. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train the book's autoencoder three times on the same data and seed (no penalty, L1 activity "
                + "penalty, KL penalty) and write one table as report.md and report.json, with figures per run.")
final class CompareCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(CompareCommand.class);

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--kl-weight", description = "KL weight in DL4J's units. Default: 784 x 0.0125 = 9.8 with "
            + "PER_EXAMPLE (divided by the minibatch size with PER_MINIBATCH); the book's Keras 0.05 is 39.2.")
    Double klWeight;

    @Option(names = "--l1-weight", description = "L1 weight in DL4J's units. Default: 784 x 1e-3 = 0.784 with "
            + "PER_EXAMPLE (divided by the minibatch size with PER_MINIBATCH).")
    Double l1Weight;

    @Option(names = "--save-model", description = "Also write each trained network as model.zip with "
            + "ModelSerializer.")
    boolean saveModel;

    @Mixin
    TrainingOptions options;

    @Override
    public Integer call() throws Exception {
        options.validate(spec.commandLine());
        TrainingOptions.validateWeight(spec.commandLine(), "--kl-weight", klWeight);
        TrainingOptions.validateWeight(spec.commandLine(), "--l1-weight", l1Weight);
        FashionMnistData data = options.load();
        log.info("Data: {}", data.description());
        Trainer trainer = new Trainer(data, options.epochs, options.batchSize, System.err);
        List<RunResult> results = new ArrayList<>();
        for (PenaltyChoice penalty : PenaltyChoice.values()) {
            Double explicit = switch (penalty) {
                case NONE -> 0.0;
                case L1 -> l1Weight;
                case KL -> klWeight;
            };
            double beta = explicit != null ? explicit
                    : GeronAutoencoder.defaultWeight(penalty, options.scaling, options.batchSize);
            GeronAutoencoder.Settings settings = new GeronAutoencoder.Settings(penalty, options.target, beta,
                    options.scaling, options.optimizer, options.effectiveLearningRate(), options.seed);
            results.add(trainer.run(penalty.label(), settings, options.output.resolve(penalty.label()), saveModel));
        }
        String table = ReportWriter.write(options.output, data.description(), options.epochs, options.batchSize,
                results);
        System.out.println(table);
        log.info("Report and figures written to {}", options.output.toAbsolutePath());
        return 0;
    }
}
