package io.github.dl4jsparsity.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/** Count of the JVM's garbage collections, which the benchmark tools compare before and after a step. */
final class GcCounts {

    private static final List<GarbageCollectorMXBean> COLLECTORS = ManagementFactory.getGarbageCollectorMXBeans();

    private GcCounts() {
    }

    /**
     * Returns the number of collections so far, summed over the JVM's collectors. A collector without a count adds 0.
     */
    static long total() {
        long total = 0;
        for (GarbageCollectorMXBean collector : COLLECTORS) {
            total += Math.max(0, collector.getCollectionCount());
        }
        return total;
    }
}
