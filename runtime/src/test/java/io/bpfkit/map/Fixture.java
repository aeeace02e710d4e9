package io.bpfkit.map;

import io.bpfkit.api.codec.Size;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.TestRunAttr;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/** maps_typed.bpf.o (runtime/src/test/bpf/maps_typed.bpf.c) and the records of its structs. */
final class Fixture {
    private Fixture() {
    }

    /** {@code struct inner { __u32 a; __u16 b; }}. */
    record Inner(@Unsigned int a, @Unsigned short b) {
    }

    /** {@code struct stats}: padding after {@code small}, {@code tag} and {@code ok}, a nested struct, arrays. */
    record Stats(@Unsigned long calls, @Unsigned int flags, @Unsigned short small, @Unsigned long nanos,
                 @Size(3) byte[] tag, Inner inner, @Size(3) @Unsigned int[] hist, @Size(8) String comm, boolean ok) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Stats s && s.calls == calls && s.flags == flags && s.small == small
                    && s.nanos == nanos && Arrays.equals(s.tag, tag) && s.inner.equals(inner)
                    && Arrays.equals(s.hist, hist) && s.comm.equals(comm) && s.ok == ok;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(calls);
        }

        @Override
        public String toString() {
            return "Stats[" + calls + ", " + flags + ", " + small + ", " + nanos + ", " + Arrays.toString(tag) + ", "
                    + inner + ", " + Arrays.toString(hist) + ", " + comm + ", " + ok + "]";
        }
    }

    /** {@code struct small { __u32 x; }}: 4 bytes, rounded to 8 per CPU. */
    record Small(@Unsigned int x) {
    }

    /** What write_all(key, value) stores in stats[key]. */
    static Stats written(int key, long value) {
        return new Stats(value, key * 2, (short) 7, value * 1000, new byte[] {1, 2, 3}, new Inner(key, (short) 9),
                new int[] {10, 20, 30}, "bpfkit", true);
    }

    static BpfObjectSpec spec() {
        return BpfObjects.open(TestObjects.path("maps_typed.bpf.o"));
    }

    static LoadedObject load() {
        return BpfLoader.load(spec());
    }

    /** Runs {@code program} once with {@code args} as its raw_tp context; returns its return value. */
    static int run(LoadedObject obj, String program, long... args) {
        return runOn(obj, program, -1, args);
    }

    /** As {@link #run}, on CPU {@code cpu} (BPF_F_TEST_RUN_ON_CPU), or any CPU when negative. */
    static int runOn(LoadedObject obj, String program, int cpu, long... args) {
        try (Arena arena = Arena.ofConfined()) {
            TestRunAttr.Builder b = TestRunAttr.builder();
            if (args.length > 0) {
                MemorySegment ctx = arena.allocate(8L * args.length, 8);
                MemorySegment.copy(args, 0, ctx, ValueLayout.JAVA_LONG, 0, args.length);
                b.ctxIn(ctx);
            }
            if (cpu >= 0) {
                b.flags(BpfFlags.BPF_F_TEST_RUN_ON_CPU).cpu(cpu);
            }
            return Bpf.progTestRun(obj.program(program).orElseThrow().fd(), b.build()).retval();
        }
    }
}
