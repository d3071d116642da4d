package io.github.dl4jsparsity.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Sparsity statistics of a coding layer, computed from its activation matrix of shape
 * [N examples, n units] with values in [0, 1] (for example the output of a sigmoid coding layer on a test set).
 *
 * <p>The per-unit mean activation q_j is the mean of column j over the N examples. From the matrix and the
 * target sparsity p this class derives the mean, minimum and maximum of q over the units, the share of all
 * N*n activations below {@value #LOW_ACTIVATION_THRESHOLD}, the share of units whose q_j lies in the closed
 * band [{@value #UNIT_MEAN_BAND_LOW}, {@value #UNIT_MEAN_BAND_HIGH}], and two {@value #BIN_COUNT}-bin
 * histograms over [0, 1]: one of all activations and one of the per-unit means. Bin k covers
 * [k/10, (k+1)/10), except that the last bin also contains 1.0. Histogram entries are shares of the counted
 * values, so each histogram sums to 1 up to rounding. All shares are fractions in [0, 1], not percentages.
 *
 * <p>Instances are immutable, and array getters return copies. All sums are accumulated in double precision,
 * whatever the data type of the input matrix.
 */
public final class SparsityStatistics {

    /** Number of histogram bins over [0, 1]. */
    public static final int BIN_COUNT = 10;

    /** Width of each histogram bin. */
    public static final double BIN_WIDTH = 0.1;

    /** Activations strictly below this value count as inactive in {@link #getShareOfActivationsBelowThreshold()}. */
    public static final double LOW_ACTIVATION_THRESHOLD = 0.1;

    /** Lower end, inclusive, of the unit-mean band used by {@link #getShareOfUnitsInBand()}. */
    public static final double UNIT_MEAN_BAND_LOW = 0.1;

    /** Upper end, inclusive, of the unit-mean band used by {@link #getShareOfUnitsInBand()}. */
    public static final double UNIT_MEAN_BAND_HIGH = 0.2;

    /** Rows copied to the Java heap at a time, so a large activation matrix is never duplicated in full. */
    private static final int ROW_BLOCK_SIZE = 1024;

    private final double targetSparsity;
    private final long exampleCount;
    private final int unitCount;
    private final double[] unitMeans;
    private final double meanOfUnitMeans;
    private final double minUnitMean;
    private final double maxUnitMean;
    private final double shareOfActivationsBelowThreshold;
    private final double shareOfUnitsInBand;
    private final double[] activationHistogram;
    private final double[] unitMeanHistogram;

    private SparsityStatistics(double targetSparsity, long exampleCount, double[] unitMeans,
            double shareOfActivationsBelowThreshold, double[] activationHistogram) {
        this.targetSparsity = targetSparsity;
        this.exampleCount = exampleCount;
        this.unitCount = unitMeans.length;
        this.unitMeans = unitMeans;
        this.meanOfUnitMeans = Arrays.stream(unitMeans).sum() / unitMeans.length;
        this.minUnitMean = Arrays.stream(unitMeans).min().orElseThrow();
        this.maxUnitMean = Arrays.stream(unitMeans).max().orElseThrow();
        this.shareOfActivationsBelowThreshold = shareOfActivationsBelowThreshold;
        this.shareOfUnitsInBand = (double) Arrays.stream(unitMeans)
                .filter(q -> q >= UNIT_MEAN_BAND_LOW && q <= UNIT_MEAN_BAND_HIGH)
                .count() / unitMeans.length;
        this.activationHistogram = activationHistogram;
        this.unitMeanHistogram = histogramOf(unitMeans);
    }

    /**
     * Computes the statistics of a coding-layer activation matrix.
     *
     * @param activations matrix of shape [N examples, n units], N and n at least 1, every value in [0, 1]
     * @param targetSparsity target mean activation p of each unit, in the open interval (0, 1)
     * @return the statistics, which keep no reference to {@code activations}
     * @throws NullPointerException if {@code activations} is null
     * @throws IllegalArgumentException if p lies outside (0, 1), the matrix is not rank 2 or is empty, or it
     *     contains NaN values or values outside [0, 1]
     */
    public static SparsityStatistics compute(INDArray activations, double targetSparsity) {
        Objects.requireNonNull(activations, "activations must not be null");
        validateTargetSparsity(targetSparsity);
        validateShape(activations);

        long exampleCount = activations.rows();
        int unitCount = Math.toIntExact(activations.columns());
        double[] columnSums = new double[unitCount];
        long[] activationCounts = new long[BIN_COUNT];
        long belowThreshold = 0;
        long nanCount = 0;
        long outOfRangeCount = 0;
        double minValue = Double.POSITIVE_INFINITY;
        double maxValue = Double.NEGATIVE_INFINITY;

        for (long start = 0; start < exampleCount; start += ROW_BLOCK_SIZE) {
            long end = Math.min(start + ROW_BLOCK_SIZE, exampleCount);
            double[][] block = activations.get(NDArrayIndex.interval(start, end), NDArrayIndex.all())
                    .toDoubleMatrix();
            for (double[] row : block) {
                for (int j = 0; j < unitCount; j++) {
                    double value = row[j];
                    if (Double.isNaN(value)) {
                        nanCount++;
                        continue;
                    }
                    minValue = Math.min(minValue, value);
                    maxValue = Math.max(maxValue, value);
                    if (value < 0.0 || value > 1.0) {
                        outOfRangeCount++;
                        continue;
                    }
                    columnSums[j] += value;
                    activationCounts[binIndex(value)]++;
                    if (value < LOW_ACTIVATION_THRESHOLD) {
                        belowThreshold++;
                    }
                }
            }
        }

        long valueCount = exampleCount * unitCount;
        if (nanCount > 0) {
            throw new IllegalArgumentException(String.format(
                    "activations contains %d NaN values among %d entries, but every value must be in [0, 1]",
                    nanCount, valueCount));
        }
        if (outOfRangeCount > 0) {
            throw new IllegalArgumentException(String.format(
                    "activations contains %d values outside [0, 1] among %d entries (min %s, max %s)",
                    outOfRangeCount, valueCount, minValue, maxValue));
        }

        double[] unitMeans = new double[unitCount];
        for (int j = 0; j < unitCount; j++) {
            unitMeans[j] = columnSums[j] / exampleCount;
        }
        double[] activationHistogram = new double[BIN_COUNT];
        for (int k = 0; k < BIN_COUNT; k++) {
            activationHistogram[k] = (double) activationCounts[k] / valueCount;
        }
        return new SparsityStatistics(targetSparsity, exampleCount, unitMeans,
                (double) belowThreshold / valueCount, activationHistogram);
    }

    private static void validateTargetSparsity(double targetSparsity) {
        if (!(targetSparsity > 0.0 && targetSparsity < 1.0)) {
            throw new IllegalArgumentException(
                    "targetSparsity must be in the open interval (0, 1), but was " + targetSparsity);
        }
    }

    private static void validateShape(INDArray activations) {
        if (activations.rank() != 2) {
            throw new IllegalArgumentException(String.format(
                    "activations must be a rank-2 matrix [examples, units], but has rank %d and shape %s",
                    activations.rank(), Arrays.toString(activations.shape())));
        }
        if (activations.isEmpty() || activations.rows() < 1 || activations.columns() < 1) {
            throw new IllegalArgumentException(String.format(
                    "activations must have at least 1 example and 1 unit, but has shape %s",
                    Arrays.toString(activations.shape())));
        }
    }

    /** Returns the bin of a value in [0, 1]: k with k/10 <= value < (k+1)/10, or the last bin for 1.0. */
    static int binIndex(double value) {
        int bin = (int) Math.floor(value * BIN_COUNT);
        // value * 10 can round across a bin edge, so the bin is checked against the double nearest to k/10.
        // This puts the literal 0.1 into bin 1 and 0.2 into bin 2.
        if (bin > 0 && bin < BIN_COUNT && value < binLowerEdge(bin)) {
            bin--;
        } else if (bin < BIN_COUNT - 1 && value >= binLowerEdge(bin + 1)) {
            bin++;
        }
        return Math.min(bin, BIN_COUNT - 1);
    }

    private static double binLowerEdge(int bin) {
        return bin / (double) BIN_COUNT;
    }

    private static double[] histogramOf(double[] values) {
        double[] shares = new double[BIN_COUNT];
        for (double value : values) {
            shares[binIndex(value)] += 1.0;
        }
        for (int k = 0; k < BIN_COUNT; k++) {
            shares[k] /= values.length;
        }
        return shares;
    }

    /** Returns the target sparsity p given to {@link #compute}. */
    public double getTargetSparsity() {
        return targetSparsity;
    }

    /** Returns N, the number of examples (matrix rows). */
    public long getExampleCount() {
        return exampleCount;
    }

    /** Returns n, the number of coding units (matrix columns). */
    public int getUnitCount() {
        return unitCount;
    }

    /** Returns a copy of the per-unit mean activations q_j, of length n. */
    public double[] getUnitMeans() {
        return unitMeans.clone();
    }

    /** Returns the mean of q over the units, which equals the mean of all N*n activations. */
    public double getMeanOfUnitMeans() {
        return meanOfUnitMeans;
    }

    /** Returns the smallest per-unit mean activation. */
    public double getMinUnitMean() {
        return minUnitMean;
    }

    /** Returns the largest per-unit mean activation. */
    public double getMaxUnitMean() {
        return maxUnitMean;
    }

    /** Returns the share of all N*n activations strictly below {@value #LOW_ACTIVATION_THRESHOLD}. */
    public double getShareOfActivationsBelowThreshold() {
        return shareOfActivationsBelowThreshold;
    }

    /**
     * Returns the share of units whose mean activation lies in [{@value #UNIT_MEAN_BAND_LOW},
     * {@value #UNIT_MEAN_BAND_HIGH}], both ends included.
     */
    public double getShareOfUnitsInBand() {
        return shareOfUnitsInBand;
    }

    /** Returns a copy of the {@value #BIN_COUNT}-bin histogram of all activations, as shares summing to 1. */
    public double[] getActivationHistogram() {
        return activationHistogram.clone();
    }

    /** Returns a copy of the {@value #BIN_COUNT}-bin histogram of the per-unit means, as shares summing to 1. */
    public double[] getUnitMeanHistogram() {
        return unitMeanHistogram.clone();
    }

    /**
     * Returns the statistics as an unmodifiable map in a fixed key order, ready for a JSON writer. Values are
     * {@link Double}, {@link Long}, {@link Integer} or unmodifiable lists of {@link Double}. The thresholds and
     * bin width are included so that the output explains itself.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("targetSparsity", targetSparsity);
        map.put("exampleCount", exampleCount);
        map.put("unitCount", unitCount);
        map.put("meanOfUnitMeans", meanOfUnitMeans);
        map.put("minUnitMean", minUnitMean);
        map.put("maxUnitMean", maxUnitMean);
        map.put("lowActivationThreshold", LOW_ACTIVATION_THRESHOLD);
        map.put("shareOfActivationsBelowThreshold", shareOfActivationsBelowThreshold);
        map.put("unitMeanBandLow", UNIT_MEAN_BAND_LOW);
        map.put("unitMeanBandHigh", UNIT_MEAN_BAND_HIGH);
        map.put("shareOfUnitsInBand", shareOfUnitsInBand);
        map.put("histogramBinWidth", BIN_WIDTH);
        map.put("activationHistogram", toList(activationHistogram));
        map.put("unitMeanHistogram", toList(unitMeanHistogram));
        map.put("unitMeans", toList(unitMeans));
        return Collections.unmodifiableMap(map);
    }

    private static List<Double> toList(double[] values) {
        List<Double> list = new ArrayList<>(values.length);
        for (double value : values) {
            list.add(value);
        }
        return Collections.unmodifiableList(list);
    }

    @Override
    public String toString() {
        return String.format("SparsityStatistics[p=%s, N=%d, n=%d, mean q=%.4f, min q=%.4f, max q=%.4f, "
                        + "share below %.1f=%.4f, share of units in [%.1f, %.1f]=%.4f]",
                targetSparsity, exampleCount, unitCount, meanOfUnitMeans, minUnitMean, maxUnitMean,
                LOW_ACTIVATION_THRESHOLD, shareOfActivationsBelowThreshold, UNIT_MEAN_BAND_LOW,
                UNIT_MEAN_BAND_HIGH, shareOfUnitsInBand);
    }
}
