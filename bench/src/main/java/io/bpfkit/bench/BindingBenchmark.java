package io.bpfkit.bench;

import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfHashMap;
import io.bpfkit.examples.SysCount;
import io.bpfkit.examples.SysCountBinding;
import io.bpfkit.examples.SyscallStats;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.map.BpfMaps;
import io.bpfkit.map.RecordCodec;
import io.bpfkit.object.BpfObjects;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A map lookup and an update of syscount's {@code counts} (key {@code __u32}, value
 * {@code struct syscall_stats}) through the generated {@code SysCountBinding} (generated record
 * codec) and through the runtime API on the same kind of map ({@code BpfMaps.hash} with the
 * {@code RecordCodec}, built at run time from method handles). Both are one bpf(2) call; the
 * difference is the codec.
 * The programs are not loaded, so the system calls of the benchmark itself are not counted.
 * Run with {@code scripts/bench-binding} (root), which prints the binding/runtime ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class BindingBenchmark {
    private static final int KEY = 42;
    private static final SyscallStats VALUE = new SyscallStats(7, 11);

    private SysCount binding;
    private BpfHashMap<Integer, SyscallStats> viaBinding;
    private LoadedObject object;
    private BpfHashMap<Integer, SyscallStats> viaRuntime;

    @Setup(Level.Trial)
    public void setUp() {
        binding = SysCountBinding.open().onEnterAutoload(false).onExitAutoload(false).load();
        viaBinding = binding.counts();
        viaBinding.put(KEY, VALUE);
        object = BpfLoader.load(BpfObjects.open(SysCountBinding.class.getResourceAsStream("syscount.bpf.o"),
                "syscount.bpf.o"));
        viaRuntime = BpfMaps.hash(object, "counts", Codecs.int32(), RecordCodec.of(SyscallStats.class));
        viaRuntime.put(KEY, VALUE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        viaRuntime.close();
        object.close();
        binding.close();
    }

    @Benchmark
    public SyscallStats lookupBinding() {
        return viaBinding.get(KEY);
    }

    @Benchmark
    public SyscallStats lookupRuntime() {
        return viaRuntime.get(KEY);
    }

    @Benchmark
    public void updateBinding() {
        viaBinding.put(KEY, VALUE);
    }

    @Benchmark
    public void updateRuntime() {
        viaRuntime.put(KEY, VALUE);
    }
}
