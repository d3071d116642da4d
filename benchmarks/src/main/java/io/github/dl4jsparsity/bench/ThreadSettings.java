package io.github.dl4jsparsity.bench;

/**
 * Thread settings of a benchmark run. ND4J's OpenMP and OpenBLAS pools read {@code OMP_NUM_THREADS} when the native
 * library loads, so it has to be set in the environment before the JVM starts; JMH's forked JVMs inherit the
 * environment of the launching JVM. PyTorch's pools are set by DJL from the system properties
 * {@code ai.djl.pytorch.num_threads} and {@code ai.djl.pytorch.num_interop_threads} when the engine starts.
 */
public final class ThreadSettings {

    /** System property with the thread count the run is labelled with. */
    public static final String THREADS_PROPERTY = "bench.threads";

    private ThreadSettings() {
    }

    /**
     * Checks that {@code OMP_NUM_THREADS} matches {@code -Dbench.threads} when that property is set, so a result
     * labelled with a thread count was measured with it.
     *
     * @throws IllegalStateException if the two differ or the environment variable is missing
     */
    public static void checkNd4j() {
        String expected = System.getProperty(THREADS_PROPERTY);
        if (expected == null) {
            return;
        }
        String actual = System.getenv("OMP_NUM_THREADS");
        if (!expected.equals(actual)) {
            throw new IllegalStateException("Invalid thread settings: -D" + THREADS_PROPERTY + "=" + expected
                    + " but OMP_NUM_THREADS=" + actual + ". Export OMP_NUM_THREADS=" + expected
                    + " before starting the JVM");
        }
    }

    /**
     * Sets DJL's offline mode and, unless they are set already, PyTorch's intra-op and inter-op thread counts from
     * {@code -Dbench.threads}. Call before the PyTorch engine is first used.
     */
    public static void configureDjl() {
        System.setProperty("ai.djl.offline", "true");
        String threads = System.getProperty(THREADS_PROPERTY);
        if (threads != null) {
            if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
                System.setProperty("ai.djl.pytorch.num_threads", threads);
            }
            if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
                System.setProperty("ai.djl.pytorch.num_interop_threads", threads);
            }
        }
    }
}
