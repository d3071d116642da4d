package io.github.dl4jsparsity.bench;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * KL sparsity penalty and its gradient written directly with ND4J ops, as the floor that the library's SameDiff
 * graph is measured against. It uses the same definition as the library: with {@code q_j} the minibatch mean of
 * unit j and {@code q'_j = eps + (1 - 2 eps) q_j}, the penalty is
 * {@code beta * sum_j [p ln(p / q'_j) + (1 - p) ln((1 - p) / (1 - q'_j))]}.
 */
public final class ClosedFormKl {

    private ClosedFormKl() {
    }

    /**
     * Penalty of one minibatch and the row d(penalty)/d(a_ij), which is the same for every example i.
     *
     * @param value {@code beta * sum_j KL(p || q'_j)}
     * @param gradientRow {@code beta * (-p / q'_j + (1 - p) / (1 - q'_j)) * (1 - 2 eps) / m}, shape [1, n]
     */
    public record Result(double value, INDArray gradientRow) {
    }

    /**
     * Computes the penalty of activations [m, n] and its gradient row. The caller chooses the workspace scope.
     *
     * @param activations coding-layer activations [m, n] in [0, 1]
     * @param target target sparsity p
     * @param weight penalty weight beta
     * @param epsilon squeeze of the mean activations
     */
    public static Result valueAndGradientRow(INDArray activations, double target, double weight, double epsilon) {
        return valueAndGradientRow(activations.mean(true, 0), activations.size(0), target, weight, epsilon);
    }

    /**
     * Computes the penalty and its gradient row from the column means [1, n] of activations [m, n], which are not
     * changed. The caller chooses the workspace scope.
     *
     * @param means per-unit mean activations q [1, n]
     * @param minibatch m, the number of rows the means were taken over
     * @param target target sparsity p
     * @param weight penalty weight beta
     * @param epsilon squeeze of the mean activations
     */
    public static Result valueAndGradientRow(INDArray means, long minibatch, double target, double weight,
                                             double epsilon) {
        INDArray squeezed = means.mul(1.0 - 2.0 * epsilon).addi(epsilon);
        INDArray oneMinus = squeezed.rsub(1.0);
        double value = weight * klSum(squeezed, oneMinus, target);

        // d KL / d q' = -p / q' + (1 - p) / (1 - q'), then the chain rule through the squeeze and the mean.
        INDArray gradientRow = oneMinus.rdivi(1.0 - target).subi(squeezed.rdiv(target))
                .muli(weight * (1.0 - 2.0 * epsilon) / minibatch);
        return new Result(value, gradientRow);
    }

    /** Computes the penalty from per-unit mean activations [1, n], without the gradient. */
    public static double valueFromMeans(INDArray means, double target, double weight, double epsilon) {
        INDArray squeezed = means.mul(1.0 - 2.0 * epsilon).addi(epsilon);
        return weight * klSum(squeezed, squeezed.rsub(1.0), target);
    }

    /** Returns sum_j [c - p ln q'_j - (1 - p) ln(1 - q'_j)] with c = p ln p + (1 - p) ln(1 - p). */
    private static double klSum(INDArray squeezed, INDArray oneMinus, double target) {
        double constant = target * Math.log(target) + (1.0 - target) * Math.log(1.0 - target);
        double logTerms = Transforms.log(squeezed, true).muli(target)
                .addi(Transforms.log(oneMinus, true).muli(1.0 - target))
                .sumNumber().doubleValue();
        return squeezed.length() * constant - logTerms;
    }
}
