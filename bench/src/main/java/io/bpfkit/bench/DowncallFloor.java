package io.bpfkit.bench;

import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfHashMap;
import io.bpfkit.map.BpfMaps;
import io.bpfkit.map.MapRef;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.MapCreateAttr;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a system call costs when Java makes it, in one process: the floor under bpfkit's
 * map-lookup and map-update figures (scripts/bench --floor).
 *
 * <p>Each operation runs several ways, in turns of 100 ms, all in this JVM: a C loop
 * ({@code bench/src/main/c/downcall_floor.c}, libbpf; one downcall per 1000 operations, so the
 * kernel's cost inside a JVM process), the bare FFM downcall of {@code syscall(2)} per operation
 * (with and without the errno capture a binding needs to report errors), and bpfkit's typed
 * handle. A process's own speed on this VM varies by tens of per cent from one process to the
 * next; ratios within one process do not carry that. The ratio column is the C loop's time over
 * the row's, per turn, geometric mean: the share of C's throughput the row reaches.
 *
 * <pre>{@code
 * java -cp ... io.bpfkit.bench.DowncallFloor bench/target/libdowncall_floor.so 40
 * }</pre>
 */
@SuppressWarnings("restricted") // its own downcalls are what it measures
public final class DowncallFloor {
    private static final int PER_TURN_CALL = 1000;
    private static final int SMALL = 1024;
    private static final long SYS_GETPPID = 110;
    private static final long SYS_BPF = 321;
    private static final long BPF_MAP_LOOKUP_ELEM = 1;
    private static final long BPF_MAP_UPDATE_ELEM = 2;
    private static final long ELEM_ATTR_SIZE = 32;

    /** One way of doing {@value #PER_TURN_CALL} operations; returns something to keep. */
    private interface Way {
        long run(long start) throws Throwable;
    }

    private record Row(String operation, String way, Way body) {
    }

    private DowncallFloor() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 1) {
            System.err.println("usage: DowncallFloor LIBDOWNCALL_FLOOR.so [TURNS]");
            System.exit(2);
        }
        int turns = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        Linker linker = Linker.nativeLinker();
        SymbolLookup floor = SymbolLookup.libraryLookup(Path.of(args[0]), Arena.global());
        FunctionDescriptor loop = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
        MethodHandle cGetppid = linker.downcallHandle(floor.find("floor_getppid").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        MethodHandle cUpdate = linker.downcallHandle(floor.find("floor_update").orElseThrow(), loop);
        MethodHandle cLookup = linker.downcallHandle(floor.find("floor_lookup").orElseThrow(), loop);
        MemorySegment syscall = linker.defaultLookup().find("syscall").orElseThrow();
        MethodHandle getppid = linker.downcallHandle(syscall, FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG), Linker.Option.firstVariadicArg(1));
        FunctionDescriptor bpf = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG);
        MethodHandle bpfBare = linker.downcallHandle(syscall, bpf, Linker.Option.firstVariadicArg(1));
        MethodHandle bpfCapture = linker.downcallHandle(syscall, bpf, Linker.Option.firstVariadicArg(1),
                Linker.Option.captureCallState("errno"));
        // critical(false): no thread-state transition around the call (what bpfkit's element calls use)
        MethodHandle getppidCritical = linker.downcallHandle(syscall, FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG), Linker.Option.firstVariadicArg(1), Linker.Option.critical(false));
        MethodHandle bpfCriticalCapture = linker.downcallHandle(syscall, bpf, Linker.Option.firstVariadicArg(1),
                Linker.Option.captureCallState("errno"), Linker.Option.critical(false));
        MethodHandle bpfCriticalBare = linker.downcallHandle(syscall, bpf, Linker.Option.firstVariadicArg(1),
                Linker.Option.critical(false));

        try (BpfHashMap<Integer, Long> map = BpfMaps.hash(MapRef.owning(Bpf.mapCreate(
                MapCreateAttr.builder(1, 4, 8, SMALL).name("floor").build())), Codecs.int32(), Codecs.int64())) {
            int mapFd = map.fileDescriptor();
            Integer[] keys = new Integer[SMALL];
            Long[] values = new Long[SMALL];
            for (int i = 0; i < SMALL; i++) {
                keys[i] = i;
                values[i] = (long) i;
                map.put(keys[i], values[i]);
            }
            // bpf_attr (MAP_ELEM: map_fd, key, value, flags), key, value and the capture state in one block
            MemorySegment block = Arena.global().allocate(256, 64);
            MemorySegment attr = block.asSlice(0, ELEM_ATTR_SIZE);
            MemorySegment state = block.asSlice(64, Linker.Option.captureStateLayout().byteSize());
            long keyAt = 128;
            long valueAt = 136;
            attr.set(ValueLayout.JAVA_INT, 0, mapFd);
            attr.set(ValueLayout.JAVA_LONG, 8, block.address() + keyAt);
            attr.set(ValueLayout.JAVA_LONG, 16, block.address() + valueAt);
            int errnoAt = (int) Linker.Option.captureStateLayout()
                    .byteOffset(MemoryLayout.PathElement.groupElement("errno"));

            List<Row> rows = new ArrayList<>();
            rows.add(new Row("getppid", "C loop in this JVM", start -> (long) cGetppid.invokeExact((long) PER_TURN_CALL)));
            rows.add(new Row("getppid", "FFM downcall per call", start -> {
                long sum = 0;
                for (int n = 0; n < PER_TURN_CALL; n++) {
                    sum += (long) getppid.invokeExact(SYS_GETPPID);
                }
                return sum;
            }));
            rows.add(new Row("getppid", "FFM downcall per call, critical", start -> {
                long sum = 0;
                for (int n = 0; n < PER_TURN_CALL; n++) {
                    sum += (long) getppidCritical.invokeExact(SYS_GETPPID);
                }
                return sum;
            }));
            rows.add(new Row("update", "C loop in this JVM (libbpf)",
                    start -> (long) cUpdate.invokeExact(mapFd, (long) PER_TURN_CALL, start)));
            rows.add(new Row("update", "FFM syscall(2) per call, errno captured", start -> {
                long failed = 0;
                for (int n = 0; n < PER_TURN_CALL; n++) {
                    int key = (int) (start + n) & (SMALL - 1);
                    block.set(ValueLayout.JAVA_INT, keyAt, key);
                    block.set(ValueLayout.JAVA_LONG, valueAt, key);
                    long r = (long) bpfCapture.invokeExact(state, SYS_BPF, BPF_MAP_UPDATE_ELEM, attr, ELEM_ATTR_SIZE);
                    failed += r == 0 ? 0 : state.get(ValueLayout.JAVA_INT, errnoAt);
                }
                return failed;
            }));
            rows.add(new Row("update", "FFM syscall(2) per call, no errno", start -> {
                long failed = 0;
                for (int n = 0; n < PER_TURN_CALL; n++) {
                    int key = (int) (start + n) & (SMALL - 1);
                    block.set(ValueLayout.JAVA_INT, keyAt, key);
                    block.set(ValueLayout.JAVA_LONG, valueAt, key);
                    failed += (long) bpfBare.invokeExact(SYS_BPF, BPF_MAP_UPDATE_ELEM, attr, ELEM_ATTR_SIZE);
                }
                return failed;
            }));
            rows.add(new Row("update", "FFM syscall(2), critical, errno captured", start -> {
                long failed = 0;
                for (int n = 0; n < PER_TURN_CALL; n++) {
                    int key = (int) (start + n) & (SMALL - 1);
                    block.set(ValueLayout.JAVA_INT, keyAt, key);
                    block.set(ValueLayout.JAVA_LONG, valueAt, key);
                    long r = (long) bpfCriticalCapture.invokeExact(state, SYS_BPF, BPF_MAP_UPDATE_ELEM, attr,
                            ELEM_ATTR_SIZE);
                    failed += r == 0 ? 0 : state.get(ValueLayout.JAVA_INT, errnoAt);
                }
                return failed;
            }));
            rows.add(new Row("update", "FFM syscall(2), critical, no errno", start -> {
                long failed = 0;
                for (int n = 0; n < PER_TURN_CALL; n++) {
                    int key = (int) (start + n) & (SMALL - 1);
                    block.set(ValueLayout.JAVA_INT, keyAt, key);
                    block.set(ValueLayout.JAVA_LONG, valueAt, key);
                    failed += (long) bpfCriticalBare.invokeExact(SYS_BPF, BPF_MAP_UPDATE_ELEM, attr, ELEM_ATTR_SIZE);
                }
                return failed;
            }));
            rows.add(new Row("update", "bpfkit BpfHashMap.put", start -> {
                for (int n = 0; n < PER_TURN_CALL; n++) {
                    int i = (int) (start + n) & (SMALL - 1);
                    map.put(keys[i], values[i]);
                }
                return 0;
            }));
            rows.add(new Row("lookup", "C loop in this JVM (libbpf)",
                    start -> (long) cLookup.invokeExact(mapFd, (long) PER_TURN_CALL, start)));
            rows.add(new Row("lookup", "FFM syscall(2) per call, errno captured", start -> {
                long sum = 0;
                for (int n = 0; n < PER_TURN_CALL; n++) {
                    block.set(ValueLayout.JAVA_INT, keyAt, (int) (start + n) & (SMALL - 1));
                    long r = (long) bpfCapture.invokeExact(state, SYS_BPF, BPF_MAP_LOOKUP_ELEM, attr, ELEM_ATTR_SIZE);
                    sum += r == 0 ? block.get(ValueLayout.JAVA_LONG, valueAt) : state.get(ValueLayout.JAVA_INT, errnoAt);
                }
                return sum;
            }));
            rows.add(new Row("lookup", "FFM syscall(2) per call, no errno", start -> {
                long sum = 0;
                for (int n = 0; n < PER_TURN_CALL; n++) {
                    block.set(ValueLayout.JAVA_INT, keyAt, (int) (start + n) & (SMALL - 1));
                    long r = (long) bpfBare.invokeExact(SYS_BPF, BPF_MAP_LOOKUP_ELEM, attr, ELEM_ATTR_SIZE);
                    sum += r == 0 ? block.get(ValueLayout.JAVA_LONG, valueAt) : -1;
                }
                return sum;
            }));
            rows.add(new Row("lookup", "FFM syscall(2), critical, errno captured", start -> {
                long sum = 0;
                for (int n = 0; n < PER_TURN_CALL; n++) {
                    block.set(ValueLayout.JAVA_INT, keyAt, (int) (start + n) & (SMALL - 1));
                    long r = (long) bpfCriticalCapture.invokeExact(state, SYS_BPF, BPF_MAP_LOOKUP_ELEM, attr,
                            ELEM_ATTR_SIZE);
                    sum += r == 0 ? block.get(ValueLayout.JAVA_LONG, valueAt) : state.get(ValueLayout.JAVA_INT, errnoAt);
                }
                return sum;
            }));
            rows.add(new Row("lookup", "FFM syscall(2), critical, no errno", start -> {
                long sum = 0;
                for (int n = 0; n < PER_TURN_CALL; n++) {
                    block.set(ValueLayout.JAVA_INT, keyAt, (int) (start + n) & (SMALL - 1));
                    long r = (long) bpfCriticalBare.invokeExact(SYS_BPF, BPF_MAP_LOOKUP_ELEM, attr, ELEM_ATTR_SIZE);
                    sum += r == 0 ? block.get(ValueLayout.JAVA_LONG, valueAt) : -1;
                }
                return sum;
            }));
            rows.add(new Row("lookup", "bpfkit BpfHashMap.get", start -> {
                long sum = 0;
                for (int n = 0; n < PER_TURN_CALL; n++) {
                    sum += map.get(keys[(int) (start + n) & (SMALL - 1)]);
                }
                return sum;
            }));
            measure(rows, turns);
        }
    }

    private static void measure(List<Row> rows, int turns) throws Throwable {
        double[][] nanos = new double[rows.size()][turns];
        long keep = 0;
        long start = 0;
        long warm = System.nanoTime() + 8_000_000_000L; // every way compiled by C2 before the first turn
        while (System.nanoTime() < warm) {
            for (Row row : rows) {
                for (int i = 0; i < 20; i++) {
                    keep += row.body().run(start);
                    start += PER_TURN_CALL;
                }
            }
        }
        for (int turn = 0; turn < turns; turn++) {
            for (int r = 0; r < rows.size(); r++) {
                Way body = rows.get(r).body();
                long t0 = System.nanoTime();
                long end = t0 + 100_000_000L;
                long ops = 0;
                while (System.nanoTime() < end) {
                    keep += body.run(start);
                    start += PER_TURN_CALL;
                    ops += PER_TURN_CALL;
                }
                nanos[r][turn] = (System.nanoTime() - t0) / (double) ops;
            }
        }
        System.out.printf("%-8s %-42s %9s %9s %9s%n", "op", "way (one JVM, turns of 100 ms)", "median", "best",
                "C/this");
        int reference = 0;
        for (int r = 0; r < rows.size(); r++) {
            if (r == 0 || !rows.get(r).operation().equals(rows.get(r - 1).operation())) {
                reference = r; // each operation's first row is its C loop
            }
            double logSum = 0;
            for (int turn = 0; turn < turns; turn++) {
                logSum += Math.log(nanos[reference][turn] / nanos[r][turn]);
            }
            double[] sorted = nanos[r].clone();
            Arrays.sort(sorted);
            System.out.printf("%-8s %-42s %7.1f ns %7.1f ns %9.3f%n", rows.get(r).operation(), rows.get(r).way(),
                    sorted[turns / 2], sorted[0], Math.exp(logSum / turns));
        }
        System.out.println("(kept " + (keep & 1) + ")");
    }
}
