package io.bpfkit.run;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.TestRunAttr;
import io.bpfkit.sys.TestRunResult;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Arrays;

/**
 * Runs a loaded program once (or {@code repeat} times) in the kernel on bytes you give it,
 * with {@code BPF_PROG_TEST_RUN}: no network, no traffic, no attach. XDP and tc programs take
 * a packet ({@link #data}) and may rewrite it; socket filter, tc and XDP programs can also take
 * their context struct ({@code __sk_buff}, {@code xdp_md}) through {@link #context}; raw_tp
 * programs take their arguments as the context (u64 array) and may run on a chosen CPU;
 * syscall programs take any context struct and may write it back.
 *
 * <pre>{@code
 * TestRun.Result r = TestRun.of(xdpProg).data(packet).repeat(1000).run();
 * assertEquals(2, r.returnValue());            // XDP_PASS
 * byte[] out = r.data();                        // the packet as the program left it
 * Duration perRun = r.duration();
 * }</pre>
 */
public final class TestRun {
    private final LoadedProgram program;
    private byte[] data;
    private int dataOutSize = -1;
    private byte[] context;
    private int contextOutSize = -1;
    private int repeat;
    private int cpu = -1;

    private TestRun(LoadedProgram program) {
        this.program = program;
    }

    /** A test run of a program bpfkit loaded. */
    public static TestRun of(BpfProgram program) {
        if (!(program instanceof LoadedProgram p)) {
            throw new IllegalArgumentException("not a program bpfkit loaded: " + program);
        }
        return new TestRun(p);
    }

    /** The packet (XDP, tc, socket filter, flow dissector); output space defaults to its size plus 256 bytes. */
    public TestRun data(byte[] packet) {
        this.data = packet.clone();
        return this;
    }

    /**
     * How many output bytes to make room for (a program may grow the packet); when the output
     * does not fit, the kernel refuses the run with ENOSPC.
     */
    public TestRun dataOutSize(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative output size " + size);
        }
        this.dataOutSize = size;
        return this;
    }

    /** The context: {@code __sk_buff} / {@code xdp_md} fields, raw_tp arguments (u64 each), a syscall program's struct. */
    public TestRun context(byte[] ctx) {
        this.context = ctx.clone();
        return this;
    }

    /** raw_tp arguments as the context. */
    public TestRun arguments(long... args) {
        byte[] b = new byte[args.length * 8];
        MemorySegment s = MemorySegment.ofArray(b);
        for (int i = 0; i < args.length; i++) {
            s.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, args[i]);
        }
        this.context = b;
        return this;
    }

    /**
     * How many context bytes to read back (default none): tc, socket, XDP and syscall programs
     * give their context back, raw_tp programs do not (the kernel refuses a context out for them).
     */
    public TestRun contextOutSize(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative context output size " + size);
        }
        this.contextOutSize = size;
        return this;
    }

    /** Runs the program this many times (the kernel reports the mean duration); 0 or 1 runs once. */
    public TestRun repeat(int times) {
        if (times < 0) {
            throw new IllegalArgumentException("negative repeat " + times);
        }
        this.repeat = times;
        return this;
    }

    /** Runs on this CPU ({@code BPF_F_TEST_RUN_ON_CPU}; raw_tp programs only, as the kernel allows). */
    public TestRun cpu(int cpu) {
        if (cpu < 0) {
            throw new IllegalArgumentException("negative cpu " + cpu);
        }
        this.cpu = cpu;
        return this;
    }

    /**
     * Runs it.
     *
     * @throws io.bpfkit.api.KernelException when the kernel refuses (program type without
     *     test runs, context of the wrong size, flags the type does not take)
     */
    public Result run() {
        try (Arena arena = Arena.ofConfined()) {
            TestRunAttr.Builder b = TestRunAttr.builder().repeat(repeat);
            MemorySegment dataOut = null;
            MemorySegment ctxOut = null;
            if (data != null) {
                b.dataIn(arena.allocateFrom(ValueLayout.JAVA_BYTE, data));
            }
            int outSize = dataOutSize >= 0 ? dataOutSize : data == null ? 0 : data.length + 256;
            if (outSize > 0) {
                dataOut = arena.allocate(outSize);
                b.dataOut(dataOut);
            }
            if (context != null) {
                b.ctxIn(arena.allocateFrom(ValueLayout.JAVA_BYTE, context));
            }
            int ctxSize = Math.max(contextOutSize, 0);
            if (ctxSize > 0) {
                ctxOut = arena.allocate(ctxSize);
                b.ctxOut(ctxOut);
            }
            if (cpu >= 0) {
                b.flags(BpfFlags.BPF_F_TEST_RUN_ON_CPU).cpu(cpu);
            }
            TestRunResult r = Bpf.progTestRun(program.fd(), b.build());
            byte[] out = dataOut == null ? new byte[0]
                    : dataOut.asSlice(0, Math.min(r.dataSizeOut(), dataOut.byteSize())).toArray(ValueLayout.JAVA_BYTE);
            byte[] ctx = ctxOut == null ? new byte[0]
                    : ctxOut.asSlice(0, Math.min(r.ctxSizeOut(), ctxOut.byteSize())).toArray(ValueLayout.JAVA_BYTE);
            return new Result(r.retval(), out, r.dataSizeOut(), ctx, Duration.ofNanos(Integer.toUnsignedLong(r.duration())));
        }
    }

    /**
     * What a test run gave back.
     *
     * @param returnValue the program's return value (of the last run)
     * @param data the output packet
     * @param fullDataSize the size of the output packet as the kernel reports it
     * @param context the context read back
     * @param duration the mean time of one run as the kernel measured it
     */
    public record Result(int returnValue, byte[] data, int fullDataSize, byte[] context, Duration duration) {
        public Result {
            data = data.clone();
            context = context.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public byte[] context() {
            return context.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Result r && r.returnValue == returnValue && Arrays.equals(r.data, data)
                    && r.fullDataSize == fullDataSize && Arrays.equals(r.context, context)
                    && r.duration.equals(duration);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data) * 31 + returnValue;
        }

        @Override
        public String toString() {
            return "Result[returnValue=" + returnValue + ", data=" + data.length + " bytes of " + fullDataSize
                    + ", context=" + context.length + " bytes, duration=" + duration + "]";
        }
    }
}
