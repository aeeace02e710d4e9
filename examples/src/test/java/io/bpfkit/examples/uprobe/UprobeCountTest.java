package io.bpfkit.examples.uprobe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.examples.ToolRunner;
import io.bpfkit.testing.KernelTest;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * uprobe-count for real: this JVM calls libc's {@code getppid} (a function nothing else in the
 * JVM calls) a known number of times through FFM while the tool probes it in this process only;
 * the tool, ended once the calls are done (as Ctrl-C would end it), reports exactly that many
 * calls, all timed, with a positive total, however long the calls took.
 */
@KernelTest
@SuppressWarnings("restricted") // the FFM downcall to libc is the point of the test
class UprobeCountTest {
    private static final int CALLS = 1000;
    private static final MethodHandle GETPPID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getppid").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT));

    @Test
    void countsAndTimesEveryCallOfThisProcess() throws Exception {
        long pid = ProcessHandle.current().pid();
        ToolRunner.Output o = ToolRunner.runUntilDone(UprobeCount::run, () -> {
            for (int i = 0; i < CALLS; i++) {
                try {
                    int ppid = (int) GETPPID.invokeExact();
                    assertTrue(ppid > 0);
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
            }
        }, "--pid", Long.toString(pid), "--duration", "120", "libc.so.6", "getppid");

        Matcher m = Pattern.compile("^getppid in (/\\S+libc\\S*), process " + pid
                + ", [\\d.]+ s: (\\d+) calls, (\\d+) timed, total (\\d+) ns, average (\\d+) ns$").matcher(
                o.out().lines().findFirst().orElseThrow());
        assertTrue(m.matches(), o.out());
        assertEquals(CALLS, Long.parseLong(m.group(2)), o.out());
        assertEquals(CALLS, Long.parseLong(m.group(3)), o.out());
        assertTrue(Long.parseLong(m.group(4)) > 0 && Long.parseLong(m.group(5)) > 0, o.out());
        assertTrue(Pattern.compile("(?m)^\\s+nsecs\\s+: count\\s+distribution$").matcher(o.out()).find(), o.out());
        assertTrue(o.err().contains("uprobe " + m.group(1) + ":getppid pid " + pid), o.err());
    }

    @Test
    void helpAndBadArguments() {
        ToolRunner.Output help = ToolRunner.runOnly(UprobeCount::run, "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().startsWith("usage: bpfkit uprobe-count"), help.out());
        ToolRunner.Output one = ToolRunner.runOnly(UprobeCount::run, "libc.so.6");
        assertEquals(2, one.exitCode());
        assertTrue(one.err().startsWith("bpfkit uprobe-count: give a LIBRARY and a FUNCTION"), one.err());
        ToolRunner.Output missing = ToolRunner.runOnly(UprobeCount::run, "--duration", "1", "libc.so.6",
                "no_such_function_here");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("no_such_function_here"), missing.err());
    }
}
