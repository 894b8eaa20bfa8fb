package com.altus.hub.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;

/** Prints benchmark results in the contract's format and measures peak heap. */
public final class BenchReport {
    private BenchReport() {
    }

    /** {@code bench: <name> <value> <unit> baseline=<value> ratio=<x>}; ratio = value / baseline. */
    public static void line(String name, double value, String unit, double baseline) {
        double ratio = baseline == 0 ? 0 : value / baseline;
        System.out.println(String.format(Locale.ROOT, "bench: %s %.3f %s baseline=%.3f ratio=%.3f", name, value, unit, baseline, ratio));
    }

    /** A result with no baseline of its own (e.g. a count checked against a minimum, or peak heap). */
    public static void line(String name, double value, String unit) {
        System.out.println(String.format(Locale.ROOT, "bench: %s %.3f %s baseline=- ratio=-", name, value, unit));
    }

    /** Resets the peak usage of every heap pool (call before the measured work). */
    public static void resetPeakHeap() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    /** Sum of the heap pools' peak usage since the last reset, in MiB (an upper bound of the live peak). */
    public static double peakHeapMiB() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum / (1024.0 * 1024.0);
    }
}
