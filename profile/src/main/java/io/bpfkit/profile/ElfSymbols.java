package io.bpfkit.profile;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfNote;
import io.bpfkit.elf.ElfSection;
import io.bpfkit.elf.ElfSegment;
import io.bpfkit.elf.ElfSymbol;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The function symbols of one executable or shared library ({@code .symtab}, else what
 * {@code .dynsym} leaves after stripping) and its loadable segments, kept in Java arrays so the
 * mapped file is released once read.
 */
final class ElfSymbols {
    private static final int STT_GNU_IFUNC = 10;
    private static final int NT_GNU_BUILD_ID = 3;

    private final List<ElfSegment> segments;
    private final long[] starts;
    private final long[] sizes;
    private final String[] names;
    private final String buildId;
    private final boolean fromSymtab;

    private ElfSymbols(List<ElfSegment> segments, long[] starts, long[] sizes, String[] names, String buildId,
            boolean fromSymtab) {
        this.segments = segments;
        this.starts = starts;
        this.sizes = sizes;
        this.names = names;
        this.buildId = buildId;
        this.fromSymtab = fromSymtab;
    }

    /**
     * Reads {@code file}.
     *
     * @throws IOException when it cannot be opened
     * @throws io.bpfkit.api.ObjectFormatException when it is not a well-formed ELF64 file
     */
    static ElfSymbols read(Path file) throws IOException {
        try (Arena arena = Arena.ofConfined();
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            ElfFile elf = ElfFile.parse(data);
            List<ElfSymbol> functions = new ArrayList<>();
            boolean symtab = false;
            for (ElfSection s : elf.sections()) {
                if (s.type() == ElfFile.SHT_SYMTAB || s.type() == ElfFile.SHT_DYNSYM) {
                    symtab |= s.type() == ElfFile.SHT_SYMTAB;
                    for (ElfSymbol sym : elf.symbols(s)) {
                        if ((sym.type() == ElfFile.STT_FUNC || sym.type() == STT_GNU_IFUNC) && !sym.isUndefined()
                                && sym.value() != 0) {
                            functions.add(sym);
                        }
                    }
                }
            }
            // by address; of several names for one address, a global sized one first (what nm -n
            // lists and addr2line reports for aliases such as __libc_malloc / malloc varies; any
            // of them is right, one is picked the same way each time)
            functions.sort((a, b) -> {
                int c = Long.compareUnsigned(a.value(), b.value());
                if (c != 0) {
                    return c;
                }
                c = Boolean.compare(b.size() != 0, a.size() != 0);
                return c != 0 ? c : a.name().compareTo(b.name());
            });
            int n = 0;
            long[] starts = new long[functions.size()];
            long[] sizes = new long[functions.size()];
            String[] names = new String[functions.size()];
            for (ElfSymbol f : functions) {
                if (n > 0 && starts[n - 1] == f.value()) {
                    continue;
                }
                starts[n] = f.value();
                sizes[n] = f.size();
                names[n] = f.name();
                n++;
            }
            return new ElfSymbols(List.copyOf(elf.segments()), Arrays.copyOf(starts, n), Arrays.copyOf(sizes, n),
                    Arrays.copyOf(names, n), buildId(elf), symtab);
        }
    }

    /**
     * Only the GNU build id of {@code file}, in hex, or null when it has none: the symbols are
     * not read.
     *
     * @throws IOException when it cannot be opened
     * @throws io.bpfkit.api.ObjectFormatException when it is not a well-formed ELF64 file
     */
    static String readBuildId(Path file) throws IOException {
        try (Arena arena = Arena.ofConfined();
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return buildId(ElfFile.parse(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena)));
        }
    }

    /**
     * A build id as the kernel reports it in {@code struct bpf_stack_build_id}: 20 bytes, a
     * shorter id (MD5, xxHash) padded with zeros; in hex.
     */
    static String kernelForm(String hex) {
        return hex.length() >= 40 ? hex.substring(0, 40) : hex + "0".repeat(40 - hex.length());
    }

    /** The GNU build id ({@code .note.gnu.build-id}) in hex, or null. */
    private static String buildId(ElfFile elf) {
        Optional<ElfSection> note = elf.section(".note.gnu.build-id");
        if (note.isEmpty()) {
            return null;
        }
        try {
            for (ElfNote n : ElfNote.read(note.get(), elf.order())) {
                if (n.type() == NT_GNU_BUILD_ID) {
                    return HexFormat.of().formatHex(n.desc(note.get()).toArray(ValueLayout.JAVA_BYTE));
                }
            }
        } catch (ObjectFormatException e) {
            return null; // a truncated note: no build id, as when there is none
        }
        return null;
    }

    String buildId() {
        return buildId;
    }

    /** True when the file has a full symbol table; false when only {@code .dynsym} was left. */
    boolean hasSymtab() {
        return fromSymtab;
    }

    int size() {
        return names.length;
    }

    /**
     * The link-time virtual address of a file offset: through the PT_LOAD segment that maps it
     * (PIE or not, whatever the alignment), or the offset itself when none does.
     */
    long virtualAddress(long fileOffset) {
        for (ElfSegment s : segments) {
            if (s.isLoad() && s.containsFileOffset(fileOffset)) {
                return s.virtualAddressOf(fileOffset);
            }
        }
        return fileOffset;
    }

    /**
     * The function holding link-time address {@code vaddr}: the nearest symbol at or below it
     * whose size covers it (or that has no size), else null.
     */
    String lookup(long vaddr) {
        int floor = SortedAddresses.floor(starts, vaddr);
        // a sized symbol that ends below vaddr may sit inside a larger one before it (nested
        // local labels); look back a little for one that covers it
        for (int i = floor, seen = 0; i >= 0 && seen < 4; i--, seen++) {
            if (sizes[i] == 0 ? i == floor : Long.compareUnsigned(vaddr - starts[i], sizes[i]) < 0) {
                return names[i];
            }
        }
        return null;
    }
}
