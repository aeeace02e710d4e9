package io.bpfkit.sys;

import java.lang.foreign.MemorySegment;

/**
 * What {@code BPF_PROG_TEST_RUN} takes besides the program: input and output packet data and
 * context (native segments or null; the sizes are the segments' sizes), repeat count, flags
 * ({@code BPF_F_TEST_RUN_ON_CPU}, ...), cpu and batch size (XDP live frames).
 *
 * <pre>{@code
 * TestRunResult r = Bpf.progTestRun(prog, TestRunAttr.builder().dataIn(packet).repeat(1).build());
 * }</pre>
 */
public record TestRunAttr(MemorySegment dataIn, MemorySegment dataOut, MemorySegment ctxIn, MemorySegment ctxOut,
        int repeat, int flags, int cpu, int batchSize) {

    /** No data, no context, one run. */
    public static final TestRunAttr NONE = new TestRunAttr(null, null, null, null, 0, 0, 0, 0);

    public TestRunAttr {
        for (MemorySegment s : new MemorySegment[] {dataIn, dataOut, ctxIn, ctxOut}) {
            if (s != null && !s.isNative()) {
                throw new IllegalArgumentException("test run buffers must be native memory");
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link TestRunAttr}. */
    public static final class Builder {
        private MemorySegment dataIn;
        private MemorySegment dataOut;
        private MemorySegment ctxIn;
        private MemorySegment ctxOut;
        private int repeat;
        private int flags;
        private int cpu;
        private int batchSize;

        private Builder() {
        }

        public Builder dataIn(MemorySegment v) {
            dataIn = v;
            return this;
        }

        public Builder dataOut(MemorySegment v) {
            dataOut = v;
            return this;
        }

        public Builder ctxIn(MemorySegment v) {
            ctxIn = v;
            return this;
        }

        public Builder ctxOut(MemorySegment v) {
            ctxOut = v;
            return this;
        }

        public Builder repeat(int v) {
            repeat = v;
            return this;
        }

        public Builder flags(int v) {
            flags = v;
            return this;
        }

        public Builder cpu(int v) {
            cpu = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public TestRunAttr build() {
            return new TestRunAttr(dataIn, dataOut, ctxIn, ctxOut, repeat, flags, cpu, batchSize);
        }
    }
}
