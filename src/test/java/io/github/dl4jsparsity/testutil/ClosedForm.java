package io.github.dl4jsparsity.testutil;

/**
 * Hand-written closed forms of the penalties, used only as test oracles for the SameDiff graphs.
 * Arrays are [example][unit]; q is squeezed as {@code eps + (1 - 2 eps) q} for KL, as the library does.
 */
public final class ClosedForm {

    private ClosedForm() {
    }

    /** Returns the mean activation of each unit. */
    public static double[] means(double[][] a) {
        double[] q = new double[a[0].length];
        for (double[] row : a) {
            for (int j = 0; j < q.length; j++) {
                q[j] += row[j] / a.length;
            }
        }
        return q;
    }

    /** Returns KL(p || q) for one unit, without squeeze. */
    public static double kl(double p, double q) {
        return p * Math.log(p / q) + (1 - p) * Math.log((1 - p) / (1 - q));
    }

    /** Returns d KL(p || q) / dq for one unit, without squeeze. */
    public static double klDerivative(double p, double q) {
        return -p / q + (1 - p) / (1 - q);
    }

    /** Returns beta * sum_j KL(p || q'_j) with the squeeze applied. */
    public static double klPenalty(double[][] a, double p, double beta, double eps) {
        double sum = 0;
        for (double q : means(a)) {
            sum += kl(p, eps + (1 - 2 * eps) * q);
        }
        return beta * sum;
    }

    /** Returns d(klPenalty)/d a_ij, the same for every example i of unit j. */
    public static double[][] klGradient(double[][] a, double p, double beta, double eps) {
        double[] q = means(a);
        double[][] g = new double[a.length][q.length];
        for (int j = 0; j < q.length; j++) {
            double squeezed = eps + (1 - 2 * eps) * q[j];
            double dq = beta * klDerivative(p, squeezed) * (1 - 2 * eps) / a.length;
            for (int i = 0; i < a.length; i++) {
                g[i][j] = dq;
            }
        }
        return g;
    }

    /** Returns beta * sum_ij |a_ij|. */
    public static double l1Penalty(double[][] a, double beta) {
        double sum = 0;
        for (double[] row : a) {
            for (double v : row) {
                sum += Math.abs(v);
            }
        }
        return beta * sum;
    }

    /** Returns beta * sum_j (q_j - p)^2. */
    public static double msePenalty(double[][] a, double p, double beta) {
        double sum = 0;
        for (double q : means(a)) {
            sum += (q - p) * (q - p);
        }
        return beta * sum;
    }

    /** Returns beta * sum_j |q_j - p|. */
    public static double maePenalty(double[][] a, double p, double beta) {
        double sum = 0;
        for (double q : means(a)) {
            sum += Math.abs(q - p);
        }
        return beta * sum;
    }
}
