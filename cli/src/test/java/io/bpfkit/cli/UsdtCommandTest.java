package io.bpfkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.usdt.UsdtNotes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code bpfkit usdt list}: the probes of this JVM's libjvm.so, by file and by process. */
class UsdtCommandTest {
    private static final Path LIBJVM = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");

    @Test
    void listsTheProbesOfAFile() {
        int count = UsdtNotes.read(LIBJVM).probes().size();
        MainTest.Run r = MainTest.run("usdt", "list", LIBJVM.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith(LIBJVM + ": " + count + " probes\n"), r.out().lines().findFirst().orElse(""));
        assertEquals(count + 1, r.out().lines().count());
        assertTrue(r.out().matches("(?s).*\\n  hotspot:gc__begin +0x[0-9a-f]{8}  1@%dil\\n.*"), r.out());
    }

    @Test
    void listsTheProbesOfAProcessAsJson() {
        MainTest.Run r = MainTest.run("usdt", "list", "--json", "--pid", Long.toString(ProcessHandle.current().pid()));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("{\"schema\":\"bpfkit.usdt/1\",\"binaries\":[{\"path\":"), r.out());
        assertTrue(r.out().contains("libjvm.so\",\"machine\":62,\"probes\":[{\"provider\":\"hotspot\""), r.out());
        assertTrue(r.out().contains("\"name\":\"gc__begin\""), r.out());
    }

    @Test
    void aFileWithoutProbesAndBadArguments() {
        MainTest.Run r = MainTest.run("usdt", "list", "/bin/true");
        assertEquals(0, r.exit(), r.err());
        assertEquals("/bin/true: 0 probes (no .note.stapsdt section)\n", r.out());
        r = MainTest.run("usdt", "list", "/no/such/file");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("/no/such/file does not exist"), r.err());
        r = MainTest.run("usdt", "list", "--pid", "x");
        assertEquals(2, r.exit());
        r = MainTest.run("usdt", "list");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("usage: bpfkit usdt list [--json] FILE|--pid PID"), r.err());
        r = MainTest.run("usdt", "list", "--pid", "999999999");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no process 999999999"), r.err());
    }
}
