package io.bpfkit.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfSegment;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/** /proc/PID/maps lines, and the program headers that turn their file offsets into link-time addresses. */
class MappedFilesTest {
    private static final Path MAPS = Path.of("/proc/1/maps");

    @Test
    void parsesEveryKindOfLine() {
        MappedFiles.Region lib = MappedFiles.parse(
                "7f1c2a428000-7f1c2a5b0000 r-xp 00028000 fe:01 1837582                    /usr/lib/x86_64-linux-gnu/libc.so.6",
                MAPS, 1);
        assertEquals(new MappedFiles.Region(0x7f1c2a428000L, 0x7f1c2a5b0000L, "r-xp", 0x28000, "fe:01", 1837582,
                "/usr/lib/x86_64-linux-gnu/libc.so.6", false), lib);
        assertTrue(lib.isExecutable() && lib.isFile() && !lib.isAnonymous());
        assertTrue(lib.contains(0x7f1c2a428000L) && !lib.contains(0x7f1c2a5b0000L));
        MappedFiles.Region anon = MappedFiles.parse("7f1c28000000-7f1c28021000 rwxp 00000000 00:00 0", MAPS, 2);
        assertEquals("", anon.name());
        assertTrue(anon.isAnonymous() && anon.isExecutable() && !anon.isFile());
        MappedFiles.Region deleted = MappedFiles.parse(
                "7f1c2a000000-7f1c2a001000 r--s 00000000 00:1a 42  /memfd:jit code (deleted)", MAPS, 3);
        assertEquals("/memfd:jit code", deleted.name());
        assertTrue(deleted.deleted());
        MappedFiles.Region vdso = MappedFiles.parse("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]",
                MAPS, 4);
        assertEquals("[vsyscall]", vdso.name());
        assertTrue(vdso.contains(0xffffffffff600010L), "unsigned comparison");
        assertFalse(vdso.isAnonymous());
        BpfException e = assertThrows(BpfException.class, () -> MappedFiles.parse("7f-zz r-xp", MAPS, 7));
        assertEquals("/proc/1/maps line 7 is not 'start-end perms offset dev inode [path]': '7f-zz r-xp'", e.getMessage());
    }

    @Test
    void thisProcessMapsLibjvmWhoseTextOffsetIsInAnExecutableLoadSegment() throws Exception {
        List<MappedFiles.Region> regions = MappedFiles.regions(0);
        MappedFiles.Region text = regions.stream().filter(r -> r.name().endsWith("/libjvm.so") && r.isExecutable())
                .findFirst().orElseThrow();
        try (Arena arena = Arena.ofConfined();
                FileChannel ch = FileChannel.open(Path.of(text.name()), StandardOpenOption.READ)) {
            MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            ElfFile elf = ElfFile.parse(data);
            assertEquals(ElfFile.ET_DYN, elf.type());
            ElfSegment seg = elf.segmentAtOffset(text.offset()).orElseThrow();
            assertTrue(seg.isLoad() && seg.isExecutable(), seg.toString());
            // .text lies in that segment, at the address its section header gives
            long textOffset = elf.section(".text").orElseThrow().fileOffset();
            assertEquals(elf.section(".text").orElseThrow().address(), elf.segmentAtOffset(textOffset).orElseThrow()
                    .virtualAddressOf(textOffset));
        }
        assertThrows(BpfException.class, () -> MappedFiles.regions(999_999_999));
    }
}
