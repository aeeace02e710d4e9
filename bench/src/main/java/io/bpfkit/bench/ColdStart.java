package io.bpfkit.bench;

import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * bpfkit's side of scripts/bench-cold: a whole process that opens and loads one object and
 * exits, timed from outside against the same in C on libbpf ({@code bench/src/main/c/cold_load.c}).
 *
 * <p>{@code load OBJECT...} opens and loads each object with the public API, as an application
 * that loads a probe at start does. {@code floor} makes one bpf(2) call through a bare FFM
 * downcall and nothing else. With {@code -Dbpfkit.bench.phases=true} it prints how long the
 * open, the load and the close of each object took, to find where a cold process spends its time: the least a Java process that uses bpf(2) can cost, which no
 * loader can go under.
 *
 * <pre>{@code
 * java -cp bpfkit-bench.jar:... io.bpfkit.bench.ColdStart load execsnoop.bpf.o
 * }</pre>
 */
public final class ColdStart {
    private static final long SYS_BPF = 321;
    private static final int BPF_MAP_CREATE = 0;
    private static final int BPF_MAP_TYPE_ARRAY = 2;

    private ColdStart() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 1 && args[0].equals("floor")) {
            floor();
        } else if (args.length >= 2 && args[0].equals("load")) {
            boolean phases = Boolean.getBoolean("bpfkit.bench.phases");
            for (int i = 1; i < args.length; i++) {
                long start = System.nanoTime();
                BpfObjectSpec spec = BpfObjects.open(Path.of(args[i]));
                long opened = System.nanoTime();
                long loadedAt;
                try (LoadedObject loaded = BpfLoader.load(spec)) {
                    loadedAt = System.nanoTime();
                    if (loaded.programs().isEmpty() && loaded.maps().isEmpty()) {
                        throw new IllegalStateException(args[i] + ": nothing loaded");
                    }
                }
                if (phases) {
                    System.err.printf("%s: open %.1f ms, load %.1f ms, close %.1f ms%n", args[i],
                            (opened - start) / 1e6, (loadedAt - opened) / 1e6, (System.nanoTime() - loadedAt) / 1e6);
                }
            }
        } else {
            System.err.println("usage: ColdStart load OBJECT... | floor");
            System.exit(2);
        }
    }

    /** One BPF_MAP_CREATE of a one-element array, then close: the bare crossing, once. */
    @SuppressWarnings("restricted") // the bare downcall is what this measures
    private static void floor() throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle syscall = linker.downcallHandle(linker.defaultLookup().findOrThrow("syscall"),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
        MethodHandle close = linker.downcallHandle(linker.defaultLookup().findOrThrow("close"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(72);
            attr.set(ValueLayout.JAVA_INT, 0, BPF_MAP_TYPE_ARRAY);
            attr.set(ValueLayout.JAVA_INT, 4, 4);
            attr.set(ValueLayout.JAVA_INT, 8, 8);
            attr.set(ValueLayout.JAVA_INT, 12, 1);
            long fd = (long) syscall.invokeExact(SYS_BPF, (long) BPF_MAP_CREATE, attr, attr.byteSize());
            if (fd < 0) {
                throw new IllegalStateException("bpf(BPF_MAP_CREATE) failed: are we root?");
            }
            int ignored = (int) close.invokeExact((int) fd);
        }
    }
}
