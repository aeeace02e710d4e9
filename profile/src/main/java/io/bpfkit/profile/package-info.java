/**
 * Stack traces to names, and names to pictures: {@code StackSymbolizer} (kernel addresses through
 * {@code /proc/kallsyms}, user addresses through {@code /proc/PID/maps} and the mapped ELF files,
 * Java JIT code through {@code PerfMap}), {@code FlameGraph} (folded stacks to a self-contained
 * SVG), and the sampling profiler behind {@code bpfkit profile}.
 */
package io.bpfkit.profile;
