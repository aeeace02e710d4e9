package io.bpfkit.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.link.MappedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The symbolizer against binutils: every function nm lists in libc (as this JVM maps it) and in
 * a test binary (PIE and fixed-address) is named as nm and addr2line name it, at its mapped
 * address; a stripped binary's frames are file offsets; kallsyms text with modules and hidden
 * addresses.
 */
class StackSymbolizerTest {
    @TempDir
    Path dir;

    /** One nm line: address, size, name (version suffix dropped). */
    private record NmSymbol(long value, long size, String name) {
    }

    private static List<NmSymbol> nm(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("nm", "--defined-only", "-S"));
        cmd.addAll(args);
        List<NmSymbol> out = new ArrayList<>();
        for (String line : TestPrograms.run(cmd).split("\n")) {
            String[] f = line.trim().split("\\s+");
            // address size type name: functions only (T/t text, W/w weak, i ifunc)
            if (f.length == 4 && "TtWwi".indexOf(f[2].charAt(0)) >= 0) {
                String name = f[3].contains("@") ? f[3].substring(0, f[3].indexOf('@')) : f[3];
                out.add(new NmSymbol(Long.parseUnsignedLong(f[0], 16), Long.parseUnsignedLong(f[1], 16), name));
            }
        }
        return out;
    }

    /** The first PT_LOAD's virtual address, as readelf prints the program headers. */
    private static long firstLoadAddress(Path file) throws Exception {
        for (String line : TestPrograms.run(List.of("readelf", "-lW", file.toString())).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && f[0].equals("LOAD")) {
                return Long.decode(f[2]);
            }
        }
        throw new AssertionError("no LOAD segment in " + file);
    }

    /** Where the dynamic loader put {@code file} in process pid: its offset-0 mapping's start minus the first LOAD address. */
    private static long loadBias(int pid, Path file) throws Exception {
        Path real = file.toRealPath();
        for (MappedFiles.Region r : MappedFiles.regions(pid)) {
            if (r.isFile() && r.offset() == 0 && Path.of(r.name()).toRealPath().equals(real)) {
                return r.start() - firstLoadAddress(file);
            }
        }
        throw new AssertionError(file + " is not mapped in " + pid);
    }

    /** Every sized function's start and middle, symbolized at its mapped address, is one of the names nm gives it. */
    private static int assertNamesAsNm(StackSymbolizer s, int pid, Path file, List<NmSymbol> symbols) throws Exception {
        long bias = loadBias(pid, file);
        int checked = 0;
        for (NmSymbol sym : symbols) {
            if (sym.size() == 0) {
                continue;
            }
            for (long at : new long[] {sym.value(), sym.value() + sym.size() / 2}) {
                Set<String> expected = new HashSet<>();
                for (NmSymbol other : symbols) {
                    if (Long.compareUnsigned(at - other.value(), Math.max(other.size(), 1)) < 0) {
                        expected.add(other.name());
                    }
                }
                StackSymbolizer.Frame f = s.userFrame(pid, bias + at);
                assertTrue(expected.contains(f.name()), file + " 0x" + Long.toHexString(at) + ": " + f.name()
                        + ", nm says " + expected);
                assertEquals(FrameKind.NATIVE, f.kind());
                checked++;
            }
        }
        return checked;
    }

    @Test
    void namesLibcAsNmDoesThroughDynsym() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        Path libc = MappedFiles.of(self).stream().filter(p -> p.getFileName().toString().startsWith("libc.so"))
                .findFirst().orElseThrow();
        StackSymbolizer s = new StackSymbolizer();
        int checked = assertNamesAsNm(s, self, libc, nm(List.of("-D", libc.toString())));
        assertTrue(checked > 1000, checked + " libc addresses");
        assertEquals(1, s.filesRead(), "libc read once");
    }

    @Test
    void namesATestBinaryAsAddr2lineDoesPieAndNot() throws Exception {
        for (String flag : List.of("-pie", "-no-pie")) {
            Path bin = TestPrograms.buildHot(dir, "hot" + flag, flag);
            Process p = TestPrograms.startReady(List.of(bin.toString(), "30", "spin"));
            try {
                int pid = (int) p.pid();
                StackSymbolizer s = new StackSymbolizer();
                List<NmSymbol> symbols = nm(List.of(bin.toString()));
                assertTrue(assertNamesAsNm(s, pid, bin, symbols) >= 6);
                // addr2line names the hot functions' addresses the same way
                long bias = loadBias(pid, bin);
                List<String> cmd = new ArrayList<>(List.of("addr2line", "-f", "-e", bin.toString()));
                List<String> ours = new ArrayList<>();
                for (NmSymbol sym : symbols) {
                    if (sym.name().startsWith("bpfkit_hot_") || sym.name().equals("main")) {
                        long at = sym.value() + sym.size() - 1;
                        cmd.add("0x" + Long.toHexString(at));
                        ours.add(s.userFrame(pid, bias + at).name());
                    }
                }
                String[] lines = TestPrograms.run(cmd).split("\n");
                List<String> theirs = new ArrayList<>();
                for (int i = 0; i < lines.length; i += 2) {
                    theirs.add(lines[i]);
                }
                assertEquals(3, ours.size(), ours.toString());
                assertEquals(theirs, ours, flag);
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void aStrippedBinarysFramesAreFileOffsets() throws Exception {
        Path bin = TestPrograms.buildHot(dir, "hot-stripped", "-s");
        Process p = TestPrograms.startReady(List.of(bin.toString(), "30", "spin"));
        try {
            int pid = (int) p.pid();
            MappedFiles.Region text = MappedFiles.regions(pid).stream()
                    .filter(r -> r.name().endsWith("/hot-stripped") && r.isExecutable()).findFirst().orElseThrow();
            StackSymbolizer s = new StackSymbolizer();
            long ip = text.start() + 0x10;
            StackSymbolizer.Frame f = s.userFrame(pid, ip);
            assertEquals("hot-stripped+0x" + Long.toHexString(text.offset() + 0x10), f.name());
            assertTrue(s.notes().stream().anyMatch(n -> n.contains("hot-stripped has no .symtab (stripped)")), s.notes().toString());
            // an address in no mapping, and a process that does not exist
            assertEquals(StackSymbolizer.UNKNOWN, s.userFrame(pid, 8).name());
            assertEquals(StackSymbolizer.UNKNOWN, s.userFrame(999_999_999, 0x400000).name());
            assertTrue(s.notes().stream().anyMatch(n -> n.startsWith("process 999999999 exited (or is not readable)")),
                    s.notes().toString());
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void kernelSymbolsWithModulesAndHiddenAddresses() throws Exception {
        Path kallsyms = dir.resolve("kallsyms");
        Files.writeString(kallsyms, """
                ffffffff81000000 T _stext
                ffffffff81001000 t do_one
                ffffffff81002000 D some_data
                ffffffff81003000 T do_two
                ffffffffc0001000 t nft_do_chain\t[nf_tables]
                """);
        StackSymbolizer s = new StackSymbolizer(kallsyms, false, Duration.ofSeconds(1));
        assertEquals("do_one_[k]", s.kernelFrame(0xffffffff81001010L).folded());
        assertEquals("do_one", s.kernelFrame(0xffffffff81002010L).name(), "data symbols hold no code");
        assertEquals("do_two", s.kernelFrame(0xffffffff81003000L).name());
        assertEquals("nft_do_chain [nf_tables]", s.kernelFrame(0xffffffffc0001234L).name());
        assertEquals("0xffffffff80000000", s.kernelFrame(0xffffffff80000000L).name());
        Files.writeString(kallsyms, "0000000000000000 T _stext\n0000000000000000 t do_one\n");
        StackSymbolizer hidden = new StackSymbolizer(kallsyms, false, Duration.ofSeconds(1));
        assertEquals("0xffffffff81001010", hidden.kernelFrame(0xffffffff81001010L).name());
        assertTrue(hidden.notes().getFirst().contains("shows every address as 0"), hidden.notes().toString());
        StackSymbolizer none = new StackSymbolizer(dir.resolve("missing"), false, Duration.ofSeconds(1));
        assertEquals("0x1", none.kernelFrame(1).name());
        assertTrue(none.notes().getFirst().startsWith("cannot read " + dir.resolve("missing")), none.notes().toString());
    }

    @Test
    void namesKernelFunctionsAsKallsymsLists() throws Exception {
        // /proc/kallsyms itself: a function's address, and one byte into it
        String line = Files.readAllLines(Path.of("/proc/kallsyms")).stream().filter(l -> l.endsWith(" T do_syscall_64"))
                .findFirst().orElseThrow();
        long at = Long.parseUnsignedLong(line.substring(0, 16), 16);
        StackSymbolizer s = new StackSymbolizer();
        if (at == 0) {
            assertTrue(s.kernelFrame(1).name().startsWith("0x"));
            return;
        }
        assertEquals("do_syscall_64", s.kernelFrame(at).name());
        assertEquals("do_syscall_64", s.kernelFrame(at + 1).name());
    }
}
