package io.bpfkit.profile;

/**
 * A JVM with a known hot method, for the profiler's tests: prints "ready", then calls
 * {@link #bpfkitHotLoop} for the seconds given as the first argument.
 */
public final class HotJava {
    private static volatile long sink;

    private HotJava() {
    }

    static long bpfkitHotLoop(long n) {
        long s = 0;
        for (long i = 0; i < n; i++) {
            s += (i * 0x9E3779B97F4A7C15L) ^ (s >>> 7);
        }
        return s;
    }

    public static void main(String[] args) {
        long end = System.nanoTime() + (long) (Double.parseDouble(args[0]) * 1e9);
        System.out.println("ready");
        System.out.flush();
        while (System.nanoTime() < end) {
            sink += bpfkitHotLoop(100_000);
        }
    }
}
