package io.bpfkit.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import org.junit.jupiter.api.Test;

/** CPU list parsing (pure) and the lists of this machine. */
class BpfCpusTest {

    @Test
    void parsesKernelCpuLists() {
        assertArrayEquals(new int[] {0, 1, 2, 3, 5}, Cpus.parseList("0-3,5\n"));
        assertArrayEquals(new int[] {0}, Cpus.parseList("0"));
        assertArrayEquals(new int[] {0, 2, 3, 4, 8}, Cpus.parseList("8,2-4,0"));
        assertArrayEquals(new int[0], Cpus.parseList("\n"));
        assertThrows(BpfException.class, () -> Cpus.parseList("0-"));
        assertThrows(BpfException.class, () -> Cpus.parseList("3-1"));
        assertThrows(BpfException.class, () -> Cpus.parseList("a,b"));
    }

    @Test
    void thisMachine() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return;
        }
        int[] possible = Cpus.possible();
        assertTrue(possible.length >= 1);
        assertEquals(possible.length, Cpus.possibleCount());
        assertEquals(0, possible[0]);
        int[] online = Cpus.online();
        assertTrue(online.length >= 1 && online.length <= possible.length);
        assertTrue(Runtime.getRuntime().availableProcessors() <= possible.length);
    }

    @Test
    void errnoNames() {
        assertEquals("EPERM", Errno.name(1));
        assertEquals("ENOTTY", Errno.name(Errno.ENOTTY));
        assertEquals("ENOTSUPP", Errno.name(524));
        assertEquals("errno 4095", Errno.name(4095));
        assertTrue(Errno.hint(Errno.EPERM).contains("CAP_BPF"));
    }
}
