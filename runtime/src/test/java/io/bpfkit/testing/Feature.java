package io.bpfkit.testing;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;

/**
 * Something the machine has or lacks that decides which branch of a host-dependent test runs
 * (a hardware PMU, kernel data symbols in kallsyms, lockdown...), as a probe found it: its
 * name, whether it is present, the evidence, and what was found (an event name, a symbol).
 * Such a test is written with both branches, the feature's and the refusal without it; the
 * branch that runs is named in the test's display name and printed to the build log, so a
 * run on a machine without the feature cannot pass for a test of the feature.
 *
 * <pre>{@code
 * @TestFactory
 * DynamicTest typedKsymsOfData() {
 *     return HostFeatures.kallsymsData().test(
 *             "the program loads and reads the per-CPU variable", this::loadsAndReads,
 *             "the kernel's refusal names the symbol", this::refusalNamesTheSymbol);
 * }
 * }</pre>
 *
 * @param name what the feature is, e.g. {@code hardware PMU}
 * @param present whether this machine has it
 * @param evidence what the probe saw, e.g. {@code perf_event_open of cycles: ENOENT}
 * @param found what the probe found when present (an event, a symbol), or null
 */
public record Feature(String name, boolean present, String evidence, String found) {

    public static Feature present(String name, String evidence, String found) {
        return new Feature(name, true, evidence, found);
    }

    public static Feature absent(String name, String evidence) {
        return new Feature(name, false, evidence, null);
    }

    /** What the probe found; empty when the feature is absent. */
    public Optional<String> value() {
        return Optional.ofNullable(found);
    }

    /** "hardware PMU present (perf_event_open of cycles: ok)". */
    public String describe() {
        return name + (present ? " present" : " absent") + " (" + evidence + ")";
    }

    /**
     * The test of this machine's branch: {@code whenPresent} where the feature is present,
     * {@code whenAbsent} where it is not. Its display name says which branch and why, and it
     * prints one {@code bpfkit branch:} line with the calling test when it runs. JUnit's default
     * timeout does not reach dynamic tests, so the branch runs under it here.
     */
    public DynamicTest test(String presentBranch, Executable whenPresent, String absentBranch, Executable whenAbsent) {
        String caller = StackWalker.getInstance().walk(s -> s.skip(1).findFirst())
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName())
                .orElse("?");
        String display = describe() + ": " + (present ? presentBranch : absentBranch);
        Duration timeout = timeout();
        return DynamicTest.dynamicTest(display, () -> {
            System.out.println("bpfkit branch: " + caller + ": " + display);
            Assertions.assertTimeoutPreemptively(timeout, present ? whenPresent : whenAbsent,
                    () -> display + ": still running after " + timeout + " (bpfkit.testTimeout)");
        });
    }

    /** {@code junit.jupiter.execution.timeout.default}, as the build sets it ("5 m"), or 5 minutes. */
    static Duration timeout() {
        String value = System.getProperty("junit.jupiter.execution.timeout.default", "").strip();
        Matcher m = Pattern.compile("(\\d+)\\s*(ns|ms|s|m|h|d)?").matcher(value);
        if (!m.matches()) {
            return Duration.ofMinutes(5);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ns" -> Duration.ofNanos(n);
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
