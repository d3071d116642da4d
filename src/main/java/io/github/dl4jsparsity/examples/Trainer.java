package io.github.dl4jsparsity.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.github.dl4jsparsity.data.AutoencoderDataSetIterator;
import io.github.dl4jsparsity.data.FashionMnistData;
import io.github.dl4jsparsity.layers.SparsityLayerImpl;
import io.github.dl4jsparsity.penalty.PenaltyGraph;
import io.github.dl4jsparsity.penalty.PenaltySpec;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import io.github.dl4jsparsity.report.ActivationHistogramChart;
import io.github.dl4jsparsity.report.ReconstructionGrid;
import io.github.dl4jsparsity.report.SparsityStatistics;
import io.github.dl4jsparsity.conf.SparsityLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Trains the example autoencoder on Fashion-MNIST, evaluates it on the test images and writes its figures. */
final class Trainer {

    private static final Logger log = LoggerFactory.getLogger(Trainer.class);
    private static final int EVALUATION_BATCH = 1000;
    private static final int GRID_IMAGES = 10;
    private static final double CLIP = 1e-7;

    private final FashionMnistData data;
    private final int epochs;
    private final int batchSize;
    private final PrintStream progress;

    Trainer(FashionMnistData data, int epochs, int batchSize, PrintStream progress) {
        this.data = data;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.progress = progress;
    }

    /** Trains one network, writes its figures (and model, if requested) under {@code runDirectory}. */
    RunResult run(String name, GeronAutoencoder.Settings settings, Path runDirectory, boolean saveModel)
            throws IOException {
        Files.createDirectories(runDirectory);
        MultiLayerNetwork net = GeronAutoencoder.create(settings);
        log.info("Training run '{}': penalty {}, target {}, weight {}, scaling {}, {} learning rate {}, {} epochs "
                        + "of minibatch {}", name, settings.penalty().label(), settings.target(), settings.weight(),
                settings.scaling(), settings.optimizer(), settings.learningRate(), epochs, batchSize);
        List<RunResult.EpochSummary> summaries = new ArrayList<>();
        AutoencoderDataSetIterator batches = data.trainIterator(batchSize, settings.seed());
        int batchesPerEpoch = (data.trainCount() + batchSize - 1) / batchSize;
        long start = System.nanoTime();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            summaries.add(trainEpoch(net, batches, epoch, batchesPerEpoch, name));
        }
        double trainingSeconds = (System.nanoTime() - start) / 1e9;

        RunResult result = evaluate(name, settings, net, summaries, trainingSeconds, runDirectory);
        if (saveModel) {
            Path model = runDirectory.resolve("model.zip");
            ModelSerializer.writeModel(net, model.toFile(), true);
            log.info("Run '{}': model written to {}", name, model);
        }
        return result;
    }

    private RunResult.EpochSummary trainEpoch(MultiLayerNetwork net, AutoencoderDataSetIterator batches, int epoch,
                                              int batchesPerEpoch, String name) {
        batches.reset();
        ProgressBar bar = new ProgressBar(progress, String.format(Locale.ROOT, "%s epoch %d/%d", name, epoch,
                epochs), batchesPerEpoch);
        SparsityLayerImpl coding = net.getLayer(GeronAutoencoder.CODING_LAYER) instanceof SparsityLayerImpl s
                ? s : null;
        long start = System.nanoTime();
        double reconstructionSum = 0;
        double penaltySum = 0;
        int done = 0;
        while (batches.hasNext()) {
            DataSet batch = batches.next();
            net.fit(batch);
            double penalty = coding == null ? 0.0 : coding.getScorePenalty();
            double score = net.score();
            if (!Double.isFinite(score)) {
                throw new IllegalStateException("Training of run '" + name + "' diverged in epoch " + epoch
                        + ": the score is " + score + ". Lower the learning rate or the penalty weight");
            }
            reconstructionSum += score - penalty;
            penaltySum += penalty;
            done++;
            bar.update(done, reconstructionSum / done, penaltySum / done);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        RunResult.EpochSummary summary = new RunResult.EpochSummary(epoch, reconstructionSum / done,
                penaltySum / done, seconds);
        log.info(String.format(Locale.ROOT, "Run '%s' epoch %d/%d: reconstruction loss %.4f per image, penalty "
                + "%.5f, %.1f s", name, epoch, epochs, summary.reconstructionLoss(), summary.penalty(), seconds));
        return summary;
    }

    private RunResult evaluate(String name, GeronAutoencoder.Settings settings, MultiLayerNetwork net,
                               List<RunResult.EpochSummary> summaries, double trainingSeconds, Path runDirectory)
            throws IOException {
        INDArray test = data.testImages();
        long count = test.size(0);
        INDArray codings = Nd4j.create(DataType.FLOAT, count, GeronAutoencoder.CODING);
        double reconstructionSum = 0;
        INDArray firstReconstructions = null;
        for (long from = 0; from < count; from += EVALUATION_BATCH) {
            long to = Math.min(count, from + EVALUATION_BATCH);
            INDArray batch = test.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
            List<INDArray> activations = net.feedForward(batch, false);
            codings.get(NDArrayIndex.interval(from, to), NDArrayIndex.all())
                    .assign(activations.get(GeronAutoencoder.CODING_LAYER + 1));
            INDArray output = activations.get(activations.size() - 1);
            reconstructionSum += binaryCrossEntropySum(batch, output);
            if (firstReconstructions == null) {
                firstReconstructions = output.get(NDArrayIndex.interval(0, Math.min(GRID_IMAGES, to - from)),
                        NDArrayIndex.all()).dup();
            }
        }
        SparsityStatistics statistics = SparsityStatistics.compute(codings, settings.target());
        PenaltyGraph kl = new PenaltyGraph(new PenaltySpec(SparsityPenalty.KL, settings.target(), 1.0,
                SparsityLayer.DEFAULT_EPSILON, false), DataType.FLOAT, GeronAutoencoder.CODING);
        double klDivergence = kl.value(codings);
        double l1PerImage = Transforms.abs(codings).sumNumber().doubleValue() / count;

        ActivationHistogramChart.write(statistics, name, runDirectory.resolve("histograms.png"));
        INDArray originals = test.get(NDArrayIndex.interval(0, firstReconstructions.size(0)), NDArrayIndex.all());
        ReconstructionGrid.write(originals, firstReconstructions, runDirectory.resolve("reconstructions.png"));

        RunResult result = new RunResult(name, settings, List.copyOf(summaries), reconstructionSum / count,
                klDivergence, l1PerImage, statistics, trainingSeconds);
        log.info(String.format(Locale.ROOT, "Run '%s' on %d test images: reconstruction loss %.4f per image, KL %.4f, "
                        + "mean q %.4f, %.1f%% of activations below 0.1, %.1f%% of units with mean in [0.1, 0.2]",
                name, count, result.testReconstructionLoss(), klDivergence, statistics.getMeanOfUnitMeans(),
                100 * statistics.getShareOfActivationsBelowThreshold(), 100 * statistics.getShareOfUnitsInBand()));
        return result;
    }

    /** Returns the binary cross-entropy summed over pixels and images, with outputs clipped to [1e-7, 1 - 1e-7]. */
    private static double binaryCrossEntropySum(INDArray targets, INDArray outputs) {
        INDArray clipped = Transforms.max(Transforms.min(outputs, 1 - CLIP), CLIP);
        INDArray logOutput = Transforms.log(clipped, true);
        INDArray logOneMinus = Transforms.log(clipped.rsub(1.0), false);
        INDArray perPixel = targets.mul(logOutput).addi(targets.rsub(1.0).muli(logOneMinus));
        return -perPixel.sumNumber().doubleValue();
    }
}
