package io.bpfkit.examples.top;

/**
 * One process over one interval, as {@code bpfkit top} shows it.
 *
 * @param pid process id (tgid)
 * @param comm command name
 * @param syscalls system calls entered in the interval
 * @param syscallsPerSecond the same per second
 * @param cpuPercent on-CPU time as a share of one CPU (200 = two CPUs busy)
 * @param contextSwitches times it was switched off a CPU in the interval
 * @param instructionsPerCycle IPC from the PMU counters, {@code NaN} without a hardware PMU or
 *     without cycles
 * @param cycles CPU cycles in the interval (with a hardware PMU; else 0), which weigh IPC when
 *     processes are added up
 * @param started true when the process started (exec) in this interval
 * @param exited true when it ended in this interval (shown one last time)
 */
public record ProcessRow(int pid, String comm, long syscalls, double syscallsPerSecond, double cpuPercent,
                         long contextSwitches, double instructionsPerCycle, long cycles, boolean started,
                         boolean exited) {
}
