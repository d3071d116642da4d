package io.github.dl4jsparsity.scaleout;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.dl4jsparsity.data.AutoencoderDataSetIterator;
import io.github.dl4jsparsity.data.FashionMnist;
import io.github.dl4jsparsity.data.FashionMnistData;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the wrapped Fashion-MNIST autoencoder of the scale-out tests with {@link SparkDl4jMultiLayer} and writes it
 * with {@link ModelSerializer}. It is the main class of the {@code spark-submit} example in docs/scale-out.md.
 *
 * <p>Arguments are {@code key=value} pairs, all optional: {@code master} (Spark master URL; leave it out under
 * spark-submit, which sets it), {@code batchSizePerWorker} (images per minibatch on each worker, default 50),
 * {@code averagingFrequency} (minibatches per worker between two parameter averagings, default 5),
 * {@code partitions} (RDD partitions, default 2; use at least the total number of executor cores),
 * {@code epochs} (default 2), {@code trainImages} (default 10000) and {@code output} (model file, default
 * sparse-autoencoder.zip). The images are read on the driver, from {@code FASHION_MNIST_DIR}, the Debian package
 * directory or the embedded subset, and shipped to the executors inside the RDD.
 */
public final class SparkTrainingExample {

    private static final Logger log = LoggerFactory.getLogger(SparkTrainingExample.class);
    private static final Set<String> KEYS = Set.of("master", "batchSizePerWorker", "averagingFrequency",
            "partitions", "epochs", "trainImages", "output");

    private SparkTrainingExample() {
    }

    /**
     * Runs the training.
     *
     * @param args {@code key=value} settings described in the class documentation
     * @throws IOException if the model file cannot be written
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> settings = parseSettings(args);
        int batchSize = positive(settings, "batchSizePerWorker", AutoencoderFixtures.BATCH_SIZE);
        int averagingFrequency = positive(settings, "averagingFrequency", 5);
        int partitions = positive(settings, "partitions", 2);
        int epochs = positive(settings, "epochs", 2);
        int trainImages = positive(settings, "trainImages", AutoencoderFixtures.TRAIN_IMAGES);
        File output = new File(settings.getOrDefault("output", "sparse-autoencoder.zip"));

        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        SparkConf conf = new SparkConf().setAppName("dl4j-sparsity autoencoder");
        if (settings.containsKey("master")) {
            conf.setMaster(settings.get("master"));
        }
        FashionMnistData data = FashionMnist.builder().maxTrainImages(trainImages)
                .maxTestImages(AutoencoderFixtures.TEST_IMAGES).build().load();
        log.info("Training on {}", data.description());

        JavaSparkContext spark = new JavaSparkContext(conf);
        try {
            JavaRDD<DataSet> minibatches = spark.parallelize(minibatches(data, batchSize), partitions);
            ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(batchSize)
                    .batchSizePerWorker(batchSize)
                    .averagingFrequency(averagingFrequency)
                    .workerPrefetchNumBatches(2)
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    .build();
            SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(spark,
                    AutoencoderFixtures.multiLayerConfiguration(true), master);
            for (int epoch = 0; epoch < epochs; epoch++) {
                long start = System.nanoTime();
                sparkNet.fit(minibatches);
                log.info("Epoch {} of {} took {} s", epoch + 1, epochs,
                        String.format("%.1f", (System.nanoTime() - start) / 1e9));
            }
            MultiLayerNetwork trained = sparkNet.getNetwork();
            double q = trained.feedForward(data.testImages(), false).get(1).meanNumber().doubleValue();
            log.info("Mean coding activation q = {} on {} held-out images, target {}", q, data.testCount(),
                    AutoencoderFixtures.TARGET);
            ModelSerializer.writeModel(trained, output, true);
            log.info("Wrote model to {}", output.getAbsolutePath());
        } finally {
            spark.stop();
        }
    }

    private static List<DataSet> minibatches(FashionMnistData data, int batchSize) {
        AutoencoderDataSetIterator iterator = data.trainIterator(batchSize, AutoencoderFixtures.SEED);
        List<DataSet> batches = new ArrayList<>();
        while (iterator.hasNext()) {
            batches.add(iterator.next());
        }
        return batches;
    }

    private static Map<String, String> parseSettings(String[] args) {
        Map<String, String> settings = new HashMap<>();
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("Invalid argument '" + arg + "': expected key=value, for example "
                        + "batchSizePerWorker=50");
            }
            String key = arg.substring(0, equals);
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("Unknown setting '" + key + "' in '" + arg + "': expected one of "
                        + KEYS);
            }
            settings.put(key, arg.substring(equals + 1));
        }
        return settings;
    }

    private static int positive(Map<String, String> settings, String key, int defaultValue) {
        String text = settings.get(key);
        if (text == null) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid " + key + " '" + text + "': expected a whole number", e);
        }
        if (value < 1) {
            throw new IllegalArgumentException("Invalid " + key + " " + value + ": must be at least 1");
        }
        return value;
    }
}
