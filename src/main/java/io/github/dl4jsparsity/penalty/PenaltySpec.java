package io.github.dl4jsparsity.penalty;

/**
 * Settings that define one penalty graph: the kind, the target sparsity p, the weight beta, the epsilon that keeps
 * mean activations away from 0 and 1, and whether activations come from tanh and are mapped to (a + 1) / 2 first.
 *
 * <p>This record does not validate its values; {@link io.github.dl4jsparsity.conf.SparsityLayer} does, when a
 * configuration is built or read from JSON.
 *
 * @param penalty the kind of penalty
 * @param target target sparsity p, used by KL, MSE and MAE
 * @param weight penalty weight beta
 * @param epsilon squeeze applied to each mean activation: {@code q' = epsilon + (1 - 2 epsilon) q}
 * @param shiftFromTanh whether activations lie in (-1, 1) and are mapped to (a + 1) / 2 before the mean
 */
public record PenaltySpec(SparsityPenalty penalty, double target, double weight, double epsilon,
                          boolean shiftFromTanh) {
}
