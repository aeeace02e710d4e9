package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Kernel config text and version codes, parsed as libbpf parses them. */
class KernelConfigTest {

    @Test
    void configLinesAreParsedAndCommentsSkipped() {
        KernelConfig cfg = KernelConfig.parse(Path.of("cfg"), """
                #
                # Automatically generated file; DO NOT EDIT.
                CONFIG_BPF=y
                # CONFIG_KPROBES is not set
                CONFIG_HZ=250
                CONFIG_LOCALVERSION="-fc"
                CONFIG_DUP=1
                CONFIG_DUP=2
                """);
        assertEquals("y", cfg.value("CONFIG_BPF"));
        assertEquals("250", cfg.value("CONFIG_HZ"));
        assertEquals("\"-fc\"", cfg.value("CONFIG_LOCALVERSION"));
        assertNull(cfg.value("CONFIG_KPROBES"));
        assertEquals("1", cfg.value("CONFIG_DUP"), "the first line wins, as in libbpf");
        BpfException e = assertThrows(BpfException.class, () -> KernelConfig.parse(Path.of("bad"), "CONFIG_X\n"));
        assertTrue(e.getMessage().contains("bad:1"), e.getMessage());
        assertThrows(BpfException.class, () -> KernelConfig.parse(Path.of("bad"), "CONFIG_X=\n"));
    }

    @Test
    void versionCodesSaturateThePatchLevel() {
        assertEquals(0x06122c, KernelConfig.versionCode("6.18.44-fc-v782"));
        assertEquals(0x0413ff, KernelConfig.versionCode("4.19.260-1 (2022-09-29)"));
        assertEquals(0, KernelConfig.versionCode("6.18"));
        assertEquals(0, KernelConfig.versionCode("x.1.2"));
        assertTrue(KernelConfig.versionCode() > 0x050000);
    }

    @Test
    void integersParseLikeStrtoull() {
        assertEquals(250, ExternResolver.parseU64("250"));
        assertEquals(0x1f, ExternResolver.parseU64("0x1f"));
        assertEquals(8, ExternResolver.parseU64("010"));
        assertEquals(-1, ExternResolver.parseU64("-1"));
        assertEquals(0, ExternResolver.parseU64("0"));
        assertThrows(NumberFormatException.class, () -> ExternResolver.parseU64("12k"));
    }
}
