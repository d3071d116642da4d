package io.github.dl4jsparsity.design;

import java.util.Map;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/** SameDiff graph vertex that computes a sigmoid dense layer, {@code a = sigmoid(x W + b)}. */
public class DenseSameDiffVertex extends SameDiffVertex {

    private long nIn;
    private long nOut;

    /** Creates an empty vertex; used by Jackson. */
    public DenseSameDiffVertex() {
    }

    /** Creates a vertex of nOut sigmoid units on nIn inputs. */
    public DenseSameDiffVertex(long nIn, long nOut) {
        this.nIn = nIn;
        this.nOut = nOut;
    }

    @Override
    public SDVariable defineVertex(SameDiff sameDiff, Map<String, SDVariable> layerInput,
                                   Map<String, SDVariable> paramTable, Map<String, SDVariable> maskVars) {
        SDVariable preOutput = layerInput.get("in").mmul(paramTable.get("W")).add(paramTable.get("b"));
        return sameDiff.nn().sigmoid(preOutput);
    }

    @Override
    public void defineParametersAndInputs(SDVertexParams params) {
        params.defineInputs("in");
        params.addWeightParam("W", nIn, nOut);
        params.addBiasParam("b", 1, nOut);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get("W").assign(0.1);
        params.get("b").assign(0.0);
    }

    @Override
    public GraphVertex clone() {
        // GraphVertex redeclares clone() as abstract, so super.clone() does not compile. Copy the settings by hand.
        DenseSameDiffVertex copy = new DenseSameDiffVertex(nIn, nOut);
        copy.updater = updater;
        copy.biasUpdater = biasUpdater;
        copy.regularization = regularization;
        copy.regularizationBias = regularizationBias;
        copy.gradientNormalization = gradientNormalization;
        copy.gradientNormalizationThreshold = gradientNormalizationThreshold;
        copy.dataType = dataType;
        return copy;
    }

    public long getNIn() {
        return nIn;
    }

    public void setNIn(long nIn) {
        this.nIn = nIn;
    }

    public long getNOut() {
        return nOut;
    }

    public void setNOut(long nOut) {
        this.nOut = nOut;
    }
}
