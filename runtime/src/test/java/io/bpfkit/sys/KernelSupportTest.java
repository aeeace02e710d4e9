package io.bpfkit.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.KernelException;
import io.bpfkit.testing.HostFeatures;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.Tools;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

@KernelTest
class KernelSupportTest {

    /**
     * The probe decides whether kernel tests run, so this process's result (available, or no
     * kernel test would run) says nothing: what counts is that it says no where bpf(2) is
     * refused. A child JVM without any capability probes, and gets what the kernel's
     * unprivileged_bpf_disabled allows; either way the probe leaves no descriptor open.
     */
    @TestFactory
    DynamicTest withoutCapabilitiesTheProbeSaysWhatTheKernelAllows() {
        return HostFeatures.unprivilegedBpf().test("the probe finds bpf(2) usable", () -> {
            Map<String, String> r = probeWithoutCapabilities();
            assertEquals("true", r.get("available"), r.toString());
            assertEquals("bpf(2) works", r.get("reason"));
        }, "the probe says no, naming its map and EPERM", () -> {
            Map<String, String> r = probeWithoutCapabilities();
            assertEquals("false", r.get("available"), r.toString());
            assertTrue(r.get("reason").startsWith("BPF_MAP_CREATE (probe) failed: EPERM"), r.get("reason"));
        });
    }

    @Test
    void withCapBpfAloneTheProbeFindsBpfAndLeavesNothingOpen() {
        Map<String, String> r = probe("-all,+bpf");
        assertEquals("true", r.get("available"), r.toString());
        assertEquals("bpf(2) works", r.get("reason"));
    }

    private static Map<String, String> probeWithoutCapabilities() {
        return probe("-all");
    }

    /** The probe's result in a child JVM with only the capabilities of {@code bounding}. */
    private static Map<String, String> probe(String bounding) {
        Tools.Result r = Tools.runJavaWithCapabilities(bounding, ProbeInChild.class);
        assertEquals(0, r.exitCode(), r.out() + r.stderr());
        Map<String, String> values = new HashMap<>();
        r.out().lines().forEach(l -> values.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        assertEquals("0", values.get("leaked"), "BPF descriptors the probe left open: " + values);
        assertEquals("true", values.get("cached"), "probed once per process");
        return values;
    }

    @Test
    void kernelErrorCarriesErrnoNameAndOperation() {
        try (Arena arena = Arena.ofConfined()) {
            // An array map with a zero value size is invalid on every kernel.
            MemorySegment attr = arena.allocate(72, 8);
            attr.set(ValueLayout.JAVA_INT, 0, 2);
            attr.set(ValueLayout.JAVA_INT, 4, 4);
            attr.set(ValueLayout.JAVA_INT, 8, 0);
            attr.set(ValueLayout.JAVA_INT, 12, 1);
            KernelException e = assertThrows(KernelException.class,
                    () -> Syscalls.bpf(0, attr, "BPF_MAP_CREATE of map 'bad'"));
            assertEquals("EINVAL", e.errnoName());
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().startsWith("BPF_MAP_CREATE of map 'bad' failed: EINVAL"), e.getMessage());
        }
    }

    @Test
    void closingABadDescriptorIsReported() {
        KernelException e = assertThrows(KernelException.class, () -> Syscalls.close(1 << 29));
        assertEquals("EBADF", e.errnoName());
    }
}
