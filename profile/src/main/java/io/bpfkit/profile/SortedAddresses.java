package io.bpfkit.profile;

/** Lookups in arrays of addresses sorted as unsigned numbers, shared by the symbol tables. */
final class SortedAddresses {
    private SortedAddresses() {
    }

    /** The index of the last element at or below {@code address} (unsigned), or -1 when there is none. */
    static int floor(long[] sorted, long address) {
        int lo = 0;
        int hi = sorted.length - 1;
        int floor = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(sorted[mid], address) <= 0) {
                floor = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return floor;
    }
}
