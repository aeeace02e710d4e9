package io.bpfkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import org.junit.jupiter.api.Test;

/** {@code bpfkit load}: each program loaded for real, one line per program. */
@KernelTest
class LoadCommandTest {

    @Test
    void loadsEveryProgramAndReportsIds() {
        MainTest.Run r = MainTest.run("load", TestObjects.path("tailcall.bpf.o").toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().matches("(?s).*tailcall\\.bpf\\.o: entry: ok, id \\d+, \\d+ insns translated.*"), r.out());
        assertEquals(3, r.out().lines().count(), r.out());
    }

    @Test
    void aRefusedProgramShowsReasonAndSourceLineAndExitsOne() {
        MainTest.Run r = MainTest.run("load", TestObjects.path("verifier_reject.bpf.o").toString());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("unchecked: FAILED: BPF_PROG_LOAD of program 'unchecked' failed: EACCES"), r.out());
        assertTrue(r.out().contains("map_value_or_null"), r.out());
        assertTrue(r.out().contains("    at verifier_reject.bpf.c:"), r.out());
        assertTrue(r.out().contains("fine: ok"), "the other program still loads: " + r.out());
    }

    @Test
    void jsonOutput() {
        MainTest.Run r = MainTest.run("load", "--json", TestObjects.path("verifier_reject.bpf.o").toString());
        assertEquals(1, r.exit());
        assertTrue(r.out().startsWith("{\"schema\":\"bpfkit.load/1\",\"programs\":[{\"file\":"), r.out());
        assertTrue(r.out().contains("\"name\":\"fine\",\"ok\":true,\"id\":"), r.out());
        assertTrue(r.out().contains("\"name\":\"unchecked\",\"ok\":false,\"error\":"), r.out());
    }
}
