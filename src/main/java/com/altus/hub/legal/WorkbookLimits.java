package com.altus.hub.legal;

/**
 * What a workbook may hold before it is refused (hub.legal.*). Each bound keeps one way of
 * filling the heap or the disk shut:
 *
 * @param maxRows            data rows of the sheet (row elements after the header, blank ones too)
 * @param minInflateRatio    compressed / uncompressed size of every zip entry read (POI's zip-bomb check)
 * @param maxEntryBytes      uncompressed bytes of one zip entry (the sheet is the big one)
 * @param maxXmlPartBytes    uncompressed bytes of every other XML part (POI builds trees of some of them)
 * @param maxEntries         zip entries
 * @param maxMarkupRun       bytes between two markup characters ('&lt;' or '&gt;'): bounds one tag with its
 *                           attributes and one text node (a cell holds at most 32,767 characters)
 * @param maxCellChars       characters of one cell's value
 * @param maxSharedStringChars characters of the whole shared-strings table (it is held in memory)
 */
public record WorkbookLimits(int maxRows, double minInflateRatio, long maxEntryBytes, long maxXmlPartBytes, int maxEntries,
                             int maxMarkupRun, int maxCellChars, long maxSharedStringChars) {

    /** The defaults of hub.legal.*; the shared strings get a share of the heap. */
    public static WorkbookLimits defaults() {
        return new WorkbookLimits(200_000, 0.01, 512L << 20, 4L << 20, 1000, 1 << 20, 32_767,
                defaultSharedStringChars(Runtime.getRuntime().maxMemory()));
    }

    /** A sixteenth of the heap in characters (two bytes each), at most 64 M characters. */
    static long defaultSharedStringChars(long maxHeapBytes) {
        return Math.max(1L << 20, Math.min(64L << 20, maxHeapBytes / 32));
    }

    public WorkbookLimits withMaxRows(int rows) {
        return new WorkbookLimits(rows, minInflateRatio, maxEntryBytes, maxXmlPartBytes, maxEntries, maxMarkupRun,
                maxCellChars, maxSharedStringChars);
    }
}
