package io.github.dl4jsparsity.scaleout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;

import io.github.dl4jsparsity.conf.SparsityLayer;
import io.github.dl4jsparsity.penalty.PenaltyScaling;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import scala.reflect.ClassTag$;

/**
 * Java serialization of the wrapper's configuration, which Spark uses to ship closures and broadcast variables:
 * ParameterAveragingTrainingMaster broadcasts the network configuration inside a NetBroadcastTuple. A round trip
 * must give an equal object.
 */
class JavaSerializationTest {

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    private static SparsityLayer nonDefaultLayer() {
        DenseLayer dense = new DenseLayer.Builder().nIn(12).nOut(7).activation(Activation.TANH).build();
        return new SparsityLayer.Builder().layer(dense).penalty(SparsityPenalty.MSE).target(0.05).weight(2.5)
                .scaling(PenaltyScaling.PER_EXAMPLE).epsilon(1e-4).name("code").build();
    }

    @Test
    void sparsityLayerRoundTrip() throws Exception {
        SparsityLayer layer = nonDefaultLayer();

        SparsityLayer copy = roundTrip(layer);

        assertNotSame(layer, copy);
        assertEquals(layer, copy);
        assertEquals(layer.hashCode(), copy.hashCode());
        assertEquals(layer.getUnderlying(), copy.getUnderlying());
        assertEquals(SparsityPenalty.MSE, copy.getPenalty());
        assertEquals(0.05, copy.getTarget());
        assertEquals(2.5, copy.getWeight());
        assertEquals(PenaltyScaling.PER_EXAMPLE, copy.getScaling());
        assertEquals(1e-4, copy.getEpsilon());
        assertEquals("code", copy.getLayerName());
        assertEquals(layer.toPenaltySpec(), copy.toPenaltySpec());
    }

    @Test
    void multiLayerConfigurationRoundTrip() throws Exception {
        MultiLayerConfiguration conf = AutoencoderFixtures.multiLayerConfiguration(true);

        MultiLayerConfiguration copy = roundTrip(conf);

        assertEquals(conf, copy);
        assertInstanceOf(SparsityLayer.class, copy.getConf(0).getLayer());
        assertEquals(conf.getConf(0).getLayer(), copy.getConf(0).getLayer());
        assertEquals(conf.toJson(), copy.toJson());
    }

    @Test
    void graphConfigurationRoundTrip() throws Exception {
        ComputationGraphConfiguration conf = AutoencoderFixtures.graphConfiguration(true);

        ComputationGraphConfiguration copy = roundTrip(conf);

        assertEquals(conf, copy);
        assertEquals(conf.toJson(), copy.toJson());
    }

    @Test
    void sparkJavaSerializerRoundTrip() {
        SerializerInstance serializer = new JavaSerializer(new SparkConf()).newInstance();
        MultiLayerConfiguration conf = AutoencoderFixtures.multiLayerConfiguration(true);

        ByteBuffer bytes = serializer.serialize(conf, ClassTag$.MODULE$.apply(MultiLayerConfiguration.class));
        MultiLayerConfiguration copy = serializer.deserialize(bytes,
                ClassTag$.MODULE$.apply(MultiLayerConfiguration.class));

        assertEquals(conf, copy);
    }
}
