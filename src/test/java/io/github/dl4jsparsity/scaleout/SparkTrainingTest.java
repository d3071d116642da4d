package io.github.dl4jsparsity.scaleout;

import static io.github.dl4jsparsity.scaleout.AutoencoderFixtures.BATCH_SIZE;
import static io.github.dl4jsparsity.scaleout.AutoencoderFixtures.FAR;
import static io.github.dl4jsparsity.scaleout.AutoencoderFixtures.TARGET;
import static io.github.dl4jsparsity.scaleout.AutoencoderFixtures.TOLERANCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.dl4jsparsity.data.AutoencoderDataSetIterator;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training of the wrapped Fashion-MNIST autoencoder on Spark in local mode with two executor threads, through
 * {@link SparkDl4jMultiLayer} and {@link SparkComputationGraph} with parameter averaging. Tagged "slow": starting
 * Spark and the 400 minibatches of each test take more than 30 s on two cores.
 */
@Tag("slow")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SparkTrainingTest {

    private static final Logger log = LoggerFactory.getLogger(SparkTrainingTest.class);

    /** Passes over the 10,000 training images, 200 minibatches each. */
    private static final int EPOCHS = 2;
    /** Spark master URL: local mode with two executor threads, one per worker. */
    private static final String MASTER = "local[2]";
    private static final int PARTITIONS = 2;
    /** Minibatches each worker fits between two parameter averagings. */
    private static final int AVERAGING_FREQUENCY = 5;

    private static JavaSparkContext spark;
    private static List<DataSet> trainingMinibatches;

    @TempDir
    Path tempDir;

    @BeforeAll
    static void startSpark() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        SparkConf conf = new SparkConf().setMaster(MASTER).setAppName("dl4j-sparsity-tests")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        spark = new JavaSparkContext(conf);
        trainingMinibatches = trainingMinibatches();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
            spark = null;
        }
    }

    private static List<DataSet> trainingMinibatches() {
        AutoencoderDataSetIterator iterator = AutoencoderFixtures.data().trainIterator(BATCH_SIZE,
                AutoencoderFixtures.SEED);
        List<DataSet> batches = new ArrayList<>();
        while (iterator.hasNext()) {
            batches.add(iterator.next());
        }
        return batches;
    }

    /** Returns a new, uncached RDD of the training minibatches, because dl4j-spark sets the storage level itself. */
    private static JavaRDD<DataSet> minibatches() {
        return spark.parallelize(trainingMinibatches, PARTITIONS);
    }

    /** Returns a parameter-averaging master that fits minibatches of {@link AutoencoderFixtures#BATCH_SIZE}. */
    static TrainingMaster<?, ?> parameterAveraging() {
        return new ParameterAveragingTrainingMaster.Builder(BATCH_SIZE)
                .batchSizePerWorker(BATCH_SIZE)
                .averagingFrequency(AVERAGING_FREQUENCY)
                .workerPrefetchNumBatches(2)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .rngSeed(AutoencoderFixtures.SEED)
                .build();
    }

    private static void logResult(String label, double q, long startNanos) {
        log.info("{}: mean coding activation q = {} on held-out images after {} minibatches of {} in {} s", label,
                String.format("%.4f", q), EPOCHS * AutoencoderFixtures.TRAIN_IMAGES / BATCH_SIZE, BATCH_SIZE,
                String.format("%.1f", (System.nanoTime() - startNanos) / 1e9));
    }

    private static double largestDifference(INDArray expected, INDArray actual) {
        return expected.sub(actual).amaxNumber().doubleValue();
    }

    @Test
    void multiLayerReachesTargetAndRestores() throws Exception {
        long start = System.nanoTime();
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(spark,
                AutoencoderFixtures.multiLayerConfiguration(true), parameterAveraging());
        double initial = AutoencoderFixtures.meanCodingActivation(sparkNet.getNetwork());

        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            sparkNet.fit(minibatches());
        }
        MultiLayerNetwork trained = sparkNet.getNetwork();
        double q = AutoencoderFixtures.meanCodingActivation(trained);
        logResult("SparkDl4jMultiLayer on " + MASTER, q, start);
        File file = tempDir.resolve("spark-mln.zip").toFile();
        ModelSerializer.writeModel(trained, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        INDArray images = AutoencoderFixtures.data().testImages();

        assertTrue(Math.abs(initial - TARGET) > FAR, "initial mean activation " + initial);
        assertEquals(TARGET, q, TOLERANCE, "SparkDl4jMultiLayer mean activation");
        assertEquals(trained.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations());
        assertEquals(trained.params(), restored.params());
        assertEquals(0.0, largestDifference(trained.output(images), restored.output(images)), 0.0,
                "largest output difference after restore");
    }

    @Test
    void graphReachesTargetAndRestores() throws Exception {
        long start = System.nanoTime();
        SparkComputationGraph sparkNet = new SparkComputationGraph(spark,
                AutoencoderFixtures.graphConfiguration(true), parameterAveraging());
        double initial = AutoencoderFixtures.meanCodingActivation(sparkNet.getNetwork());

        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            sparkNet.fit(minibatches());
        }
        ComputationGraph trained = sparkNet.getNetwork();
        double q = AutoencoderFixtures.meanCodingActivation(trained);
        logResult("SparkComputationGraph on " + MASTER, q, start);
        File file = tempDir.resolve("spark-graph.zip").toFile();
        ModelSerializer.writeModel(trained, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        INDArray images = AutoencoderFixtures.data().testImages();

        assertTrue(Math.abs(initial - TARGET) > FAR, "initial mean activation " + initial);
        assertEquals(TARGET, q, TOLERANCE, "SparkComputationGraph mean activation");
        assertEquals(trained.getConfiguration(), restored.getConfiguration());
        assertEquals(trained.params(), restored.params());
        assertEquals(0.0, largestDifference(trained.outputSingle(images), restored.outputSingle(images)), 0.0,
                "largest output difference after restore");
    }
}
