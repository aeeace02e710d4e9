package io.bpfkit.sys;

/**
 * The outcome of {@code BPF_PROG_TEST_RUN}.
 *
 * @param retval the program's return value (of the last run)
 * @param duration mean run time in nanoseconds as the kernel measured it
 * @param dataSizeOut bytes written to data_out (the whole output size, even if data_out was smaller)
 * @param ctxSizeOut bytes written to ctx_out
 */
public record TestRunResult(int retval, int duration, int dataSizeOut, int ctxSizeOut) {
}
