package io.bpfkit.usdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.LoadException;
import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfSection;
import io.bpfkit.testing.Tools;
import io.bpfkit.testing.UsdtTarget;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The notes bpfkit reads against binutils' {@code readelf -n}, on the test binary and on the
 * JVM's own libjvm.so; file offsets checked against the bytes there (every x86 probe site is a
 * {@code nop}); malformed and missing notes.
 */
class UsdtNotesTest {
    private static final Pattern READELF = Pattern.compile("Provider: (\\S+)\\s+Name: (\\S+)\\s+Location: 0x(\\p{XDigit}+), "
            + "Base: 0x(\\p{XDigit}+), Semaphore: 0x(\\p{XDigit}+)\\s+Arguments: ?([^\\n]*)");

    /** provider, name, location, base, semaphore, arguments, as readelf prints them. */
    static List<String> readelf(Path file) {
        Path readelf = Tools.find("readelf");
        Tools.assumePresent(readelf != null, "readelf is not installed (Debian: apt-get install binutils)");
        Tools.Result r = Tools.run(120, readelf.toString(), "-n", "--wide", file.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        List<String> out = new ArrayList<>();
        Matcher m = READELF.matcher(r.out());
        while (m.find()) {
            out.add(String.join(" ", m.group(1), m.group(2), Long.toHexString(Long.parseUnsignedLong(m.group(3), 16)),
                    Long.toHexString(Long.parseUnsignedLong(m.group(4), 16)),
                    Long.toHexString(Long.parseUnsignedLong(m.group(5), 16)), m.group(6).strip()));
        }
        return out;
    }

    static List<String> bpfkit(UsdtNotes notes) {
        return notes.probes().stream().map(p -> String.join(" ", p.provider(), p.name(), Long.toHexString(p.address()),
                Long.toHexString(p.noteBase()), Long.toHexString(p.semaphore()), p.arguments())).toList();
    }

    static Path libjvm() {
        return Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
    }

    @Test
    void testBinaryMatchesReadelfAndEverySiteIsANop() throws IOException {
        Path target = UsdtTarget.path();
        UsdtNotes notes = UsdtNotes.read(target);
        assertEquals(readelf(target), bpfkit(notes));
        assertEquals(6, notes.probes().size());
        assertEquals(UsdtArch.X86_64, notes.arch());
        assertEquals(UsdtNotes.ET_DYN, notes.elfType());
        byte[] bytes = Files.readAllBytes(target);
        ElfFile elf = ElfFile.parse(MemorySegment.ofArray(bytes));
        ElfSection probes = elf.section(".probes").orElseThrow();
        for (UsdtProbe p : notes.probes()) {
            assertEquals((byte) 0x90, bytes[(int) p.fileOffset()], p.label() + " at file offset " + p.fileOffset());
            assertTrue(p.hasSemaphore(), p.label());
            assertEquals(p.semaphore() - probes.address() + probes.fileOffset(), p.semaphoreFileOffset(), p.label());
            p.arguments(UsdtArch.X86_64); // every spec parses
        }
        assertEquals(2, notes.find("bpfkit", "twice").size());
        assertEquals("-4@$-5 -4@$300 -8@$-1234567890123 -4@$77", notes.find("bpfkit", "constants").getFirst().arguments());
    }

    @Test
    void libjvmMatchesReadelf() throws IOException {
        Path lib = libjvm();
        Tools.assumePresent(Files.isRegularFile(lib), "this JVM has no " + lib);
        UsdtNotes notes = UsdtNotes.read(lib);
        List<String> expected = readelf(lib);
        assertEquals(expected, bpfkit(notes));
        assertTrue(notes.probes().size() > 100, "hotspot probes: " + notes.probes().size());
        byte[] bytes = Files.readAllBytes(lib);
        for (UsdtProbe p : notes.probes()) {
            assertEquals((byte) 0x90, bytes[(int) p.fileOffset()], p.label());
            p.arguments(UsdtArch.X86_64);
        }
        assertFalse(notes.find("hotspot", "gc__begin").isEmpty());
    }

    @Test
    void aFileWithoutNotesOrWithoutTheProbeIsAClearError() {
        UsdtNotes none = UsdtNotes.read(Path.of("/bin/true"));
        assertFalse(none.hasNoteSection());
        LoadException e = assertThrows(LoadException.class, () -> none.find("hotspot", "gc__begin"));
        assertTrue(e.getMessage().contains("/bin/true has no USDT probes (no .note.stapsdt section)"), e.getMessage());

        UsdtNotes notes = UsdtNotes.read(UsdtTarget.path());
        e = assertThrows(LoadException.class, () -> notes.find("hotspot", "gc__begin"));
        assertTrue(e.getMessage().contains("USDT probe hotspot:gc__begin: not in " + UsdtTarget.path()
                + " (its providers are [bpfkit])"), e.getMessage());
        e = assertThrows(LoadException.class, () -> notes.find("bpfkit", "nope"));
        assertTrue(e.getMessage().contains("provider 'bpfkit' has 5 other probes"), e.getMessage());
    }

    @Test
    void malformedNotesAreObjectFormatErrors() throws IOException {
        byte[] bytes = Files.readAllBytes(UsdtTarget.path());
        ElfSection notes = ElfFile.parse(MemorySegment.ofArray(bytes)).section(".note.stapsdt").orElseThrow();
        int at = (int) notes.fileOffset();

        byte[] overlong = bytes.clone();
        ByteBuffer.wrap(overlong).order(ByteOrder.LITTLE_ENDIAN).putInt(at + 4, 0x7fff_0000);
        ObjectFormatException e = assertThrows(ObjectFormatException.class,
                () -> UsdtNotes.parse(MemorySegment.ofArray(overlong), "overlong"));
        assertTrue(e.getMessage().startsWith("overlong: section .note.stapsdt at offset 0x0: note of 8+2147418112 "
                + "bytes runs past the section's end"), e.getMessage());

        byte[] badArgs = bytes.clone();
        String s = new String(badArgs, java.nio.charset.StandardCharsets.ISO_8859_1);
        int args = s.indexOf("-4@$77", at);
        badArgs[args + 3] = '#';
        UsdtNotes parsed = UsdtNotes.parse(MemorySegment.ofArray(badArgs), "badargs");
        UsdtProbe constants = parsed.find("bpfkit", "constants").getFirst();
        e = assertThrows(ObjectFormatException.class, () -> constants.arguments(UsdtArch.X86_64));
        assertTrue(e.getMessage().contains("USDT probe bpfkit:constants, argument #3 '-4@#77'"), e.getMessage());

        byte[] outside = bytes.clone();
        // the first note's location: past every segment
        ByteBuffer.wrap(outside).order(ByteOrder.LITTLE_ENDIAN).putLong(at + 12 + 8, 0x7000_0000_0000L);
        e = assertThrows(ObjectFormatException.class, () -> UsdtNotes.parse(MemorySegment.ofArray(outside), "o"));
        assertTrue(e.getMessage().contains("lies in no loadable segment"), e.getMessage());

        e = assertThrows(ObjectFormatException.class,
                () -> UsdtNotes.parse(MemorySegment.ofArray("not an elf at all, not at all".getBytes()), "text"));
        assertTrue(e.getMessage().startsWith("text: "), e.getMessage());
    }
}
