package io.bpfkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.map.BpfHashMap;
import io.bpfkit.testing.KernelTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * syscount through its generated binding only: open from the class path, adjust before load
 * (target pid, map size, which programs load), load (programs attach on load), make system
 * calls, read the typed map and globals, close, load again from the same open handle.
 */
@KernelTest
class SysCountBindingTest {
    private static final int PID = (int) ProcessHandle.current().pid();

    /** Makes {@code n} system calls or more (each stat is at least one). */
    private static void syscalls(int n) throws IOException {
        Path self = Path.of("/proc/self/status");
        for (int i = 0; i < n; i++) {
            Files.getLastModifiedTime(self);
        }
    }

    @Test
    void countsThisProcessThroughTypedHandlesAndLoadsAgain() throws IOException {
        SysCountBinding.Open open = SysCountBinding.open().targetPid(PID).countsMaxEntries(64);
        int firstMapId;
        SysCount sc = open.load();
        try {
            assertEquals(PID, sc.targetPid(), ".rodata read back after load");
            syscalls(200);
            long total = sc.total();
            assertTrue(total >= 200, "total " + total);
            Map<Integer, SyscallStats> counts = sc.counts().snapshot();
            assertEquals(java.util.Set.of(PID), counts.keySet(), "only this process is counted");
            SyscallStats mine = sc.counts().get(PID);
            assertTrue(mine.calls() >= total, mine + " vs total " + total);
            assertTrue(mine.nanos() > 0, mine.toString());
            assertEquals(0, sc.dropped());
            assertEquals(64, sc.counts().info().maxEntries());
            firstMapId = sc.counts().info().id();
            assertEquals("on_enter", sc.onEnter().name());

            sc.resetTotal(0);                       // .bss: written through the mapping
            assertTrue(sc.total() < total);
            IllegalStateException ro = assertThrows(IllegalStateException.class, () -> sc.targetPid(1));
            assertTrue(ro.getMessage().contains("read-only data (.rodata)"), ro.getMessage());
        } finally {
            sc.close();
        }
        BpfHashMap<Integer, SyscallStats> closed = sc.counts();
        assertThrows(IllegalStateException.class, () -> closed.get(PID));
        assertThrows(IllegalStateException.class, () -> sc.onExit().fileDescriptor());
        assertThrows(IllegalStateException.class, sc::total);
        sc.close(); // idempotent

        try (SysCount again = open.load()) {            // the same open handle, new kernel objects
            assertNotEquals(firstMapId, again.counts().info().id());
            syscalls(50);
            assertTrue(again.total() >= 50);
            assertTrue(again.counts().get(PID).calls() >= 50);
        }
    }

    @Test
    void programsTurnedOffDoNotLoad() throws IOException {
        try (SysCount sc = SysCountBinding.open().targetPid(PID).onExitAutoload(false).load()) {
            syscalls(100);
            assertEquals(0, sc.total(), "on_exit counts; it is not loaded");
            assertTrue(sc.entryTimes().get(PID) != null || !sc.entryTimes().snapshot().isEmpty(),
                    "on_enter still records entry times");
            IllegalStateException e = assertThrows(IllegalStateException.class, sc::onExit);
            assertEquals("program 'on_exit' was not loaded: autoload was turned off before load", e.getMessage());
        }
    }
}
