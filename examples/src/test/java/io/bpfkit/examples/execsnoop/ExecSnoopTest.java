package io.bpfkit.examples.execsnoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.examples.ToolRunner;
import io.bpfkit.testing.KernelTest;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * execsnoop for real: while it runs, this test starts {@code /bin/true} with known arguments;
 * the tool prints that exec with the child's pid, this JVM as its parent, the command name and
 * every argument.
 */
@KernelTest
class ExecSnoopTest {

    @Test
    void anExecShowsWithItsParentCommandAndArguments() throws Exception {
        String marker = "execsnoop-test-" + System.nanoTime();
        long[] child = new long[1];
        ToolRunner.Output o = ToolRunner.run(ExecSnoop::run, () -> {
            Process p = new ProcessBuilder("/bin/true", marker, "--flag=value", "last").start();
            child[0] = p.pid();
            assertEquals(0, p.waitFor());
        }, "--duration", "2");

        List<String> lines = o.out().lines().filter(l -> l.contains(marker)).toList();
        assertEquals(1, lines.size(), o.out());
        String expected = "%7d %7d %5d %-16s %s".formatted(child[0], ProcessHandle.current().pid(), 0, "true",
                "/bin/true " + marker + " --flag=value last");
        assertEquals(expected, lines.getFirst());
        assertTrue(Pattern.compile("^\\s+PID\\s+PPID\\s+UID COMM\\s+ARGS$").matcher(o.out().lines().findFirst()
                .orElseThrow()).matches(), o.out());
    }

    @Test
    void helpAndBadArguments() {
        ToolRunner.Output help = ToolRunner.runOnly(ExecSnoop::run, "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().startsWith("usage: bpfkit execsnoop"), help.out());
        ToolRunner.Output bad = ToolRunner.runOnly(ExecSnoop::run, "--duration", "soon");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().startsWith("bpfkit execsnoop: --duration takes a positive number of seconds, not soon"),
                bad.err());
    }

    @Test
    void argumentsAreSplitAtTheirNulBytes() {
        byte[] args = new byte[256];
        byte[] argv = "ls\0-l\0/tmp\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(argv, 0, args, 0, argv.length);
        ExecEvent e = new ExecEvent(1, 2, 0, argv.length, "ls", "/usr/bin/ls", args);
        assertEquals(List.of("ls", "-l", "/tmp"), e.arguments());
        assertEquals("ls -l /tmp", e.commandLine());
        ExecEvent cut = new ExecEvent(1, 2, 0, 7, "ls", "/usr/bin/ls", args); // cut inside "/tmp"
        assertEquals(List.of("ls", "-l", "/"), cut.arguments());
    }
}
