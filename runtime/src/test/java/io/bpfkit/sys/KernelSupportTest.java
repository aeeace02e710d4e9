package io.bpfkit.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.KernelException;
import io.bpfkit.testing.KernelTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

@KernelTest
class KernelSupportTest {

    @Test
    void probeFindsWorkingBpf() {
        KernelSupport k = KernelSupport.probe();
        assertTrue(k.available(), k.reason());
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
