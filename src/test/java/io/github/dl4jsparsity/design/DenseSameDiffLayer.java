package io.github.dl4jsparsity.design;

import java.util.Map;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SameDiff version of a sigmoid DenseLayer, {@code a = sigmoid(x W + b)}, with W [nIn, nOut] and b [1, nOut].
 *
 * <p>With a non-zero penalty weight w, the layer also builds {@code w * sum(a)} and marks it as a SameDiff loss
 * variable, which is how a SameDiff graph would normally ask for an extra loss term.
 */
public class DenseSameDiffLayer extends SameDiffLayer {

    private long nIn;
    private long nOut;
    private double penaltyWeight;

    /** Creates an empty layer; used by Jackson. */
    public DenseSameDiffLayer() {
    }

    /** Creates a layer of nOut sigmoid units on nIn inputs that marks {@code penaltyWeight * sum(a)} as a loss. */
    public DenseSameDiffLayer(long nIn, long nOut, double penaltyWeight) {
        this.nIn = nIn;
        this.nOut = nOut;
        this.penaltyWeight = penaltyWeight;
    }

    @Override
    public SDVariable defineLayer(SameDiff sameDiff, SDVariable layerInput, Map<String, SDVariable> paramTable,
                                  SDVariable mask) {
        SDVariable preOutput = layerInput.mmul(paramTable.get("W")).add(paramTable.get("b"));
        SDVariable activations = sameDiff.nn().sigmoid(preOutput);
        if (penaltyWeight != 0.0) {
            SDVariable penalty = activations.sum().mul(penaltyWeight);
            penalty.markAsLoss();
        }
        return activations;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam("W", nIn, nOut);
        params.addBiasParam("b", 1, nOut);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        // Tests copy their own values in, so a fixed fill is enough here.
        params.get("W").assign(0.1);
        params.get("b").assign(0.0);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(nOut);
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

    public double getPenaltyWeight() {
        return penaltyWeight;
    }

    public void setPenaltyWeight(double penaltyWeight) {
        this.penaltyWeight = penaltyWeight;
    }
}
