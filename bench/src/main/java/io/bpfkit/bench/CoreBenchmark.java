package io.bpfkit.bench;

import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfExt;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.core.CoreRelocator;
import io.bpfkit.core.CoreTarget;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.ProgramSpec;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What CO-RE costs, apart from the rest of a load, on the CO-RE-heavy test object (165
 * relocations against vmlinux structs):
 * <ul>
 * <li>{@link #parseAndIndex}: the kernel BTF from memory parsed, its name index built and the
 *     object's relocations resolved once: the first load of a process pays this;
 * <li>{@link #relocate}: every relocation resolved and patched with the kernel BTF already
 *     indexed (a later load of the process: a fresh relocator, target candidate lists cached),
 *     reported per relocation;
 * <li>{@link #relocateColdRelocator}: the same, with the target's candidate cache empty too
 *     (every essential-name lookup done again), per relocation.
 * </ul>
 * Run: {@code java -cp ... org.openjdk.jmh.Main CoreBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CoreBenchmark {
    /** Relocations in core_heavy.bpf.o's program; checked in setup. */
    static final int RELOCATIONS = 165;

    @Param("runtime/target/test-bpf/core_heavy.bpf.o")
    public String object;

    @Param("/sys/kernel/btf/vmlinux")
    public String btf;

    private Arena arena;
    private MemorySegment raw;
    private Btf local;
    private byte[] insns;
    private List<BtfExt.CoreRelocation> relos;
    private CoreTarget warm;
    private Btf vmlinux;

    @Setup
    public void setup() throws IOException {
        byte[] bytes = Files.readAllBytes(Path.of(btf));
        arena = Arena.ofShared();
        raw = arena.allocate(bytes.length, 8);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, raw, 0, bytes.length);
        BpfObjectSpec spec = BpfObjects.open(Path.of(object));
        local = spec.btf().orElseThrow();
        ProgramSpec p = spec.programs().stream().filter(x -> !x.extInfo().coreRelocations().isEmpty())
                .findFirst().orElseThrow();
        insns = p.instructions();
        relos = p.extInfo().coreRelocations();
        if (relos.size() != RELOCATIONS) {
            throw new IllegalStateException(object + " has " + relos.size() + " CO-RE relocations, the benchmark"
                    + " divides by " + RELOCATIONS);
        }
        vmlinux = Btf.parse(raw);
        warm = CoreTarget.of(vmlinux, Map::of);
        relocate();
        Prewarm.untilSteady("core relocate", this::relocate);
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    /** Parse vmlinux, index it, resolve every relocation once: a process's first CO-RE load. */
    @Benchmark
    public int parseAndIndex() {
        Btf k = Btf.parse(raw);
        CoreRelocator r = new CoreRelocator(local, CoreTarget.of(k, Map::of));
        return r.apply("bench", insns.clone(), java.nio.ByteOrder.LITTLE_ENDIAN, relos).size();
    }

    /** Only the name index of vmlinux, built by the first lookup. */
    @Benchmark
    public int parseAndNameIndex() {
        Btf k = Btf.parse(raw);
        return k.findId("task_struct", BtfKind.STRUCT).orElseThrow();
    }

    /** Every relocation against an indexed kernel BTF, per relocation. */
    @Benchmark
    @OperationsPerInvocation(RELOCATIONS)
    public int relocate() {
        CoreRelocator r = new CoreRelocator(local, warm);
        return r.apply("bench", insns.clone(), java.nio.ByteOrder.LITTLE_ENDIAN, relos).size();
    }

    /** The same with no cached candidate lists (name lookups in the index redone), per relocation. */
    @Benchmark
    @OperationsPerInvocation(RELOCATIONS)
    public int relocateColdRelocator() {
        CoreRelocator r = new CoreRelocator(local, CoreTarget.of(vmlinux, Map::of));
        return r.apply("bench", insns.clone(), java.nio.ByteOrder.LITTLE_ENDIAN, relos).size();
    }
}
