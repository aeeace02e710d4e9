package io.bpfkit.link;

import io.bpfkit.api.BpfException;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfSection;
import io.bpfkit.elf.ElfSymbol;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Finds what a uprobe needs, in pure Java: the binary's path (a bare library name such as
 * {@code libc.so.6} is looked up as libbpf does: in the target process's mappings, then
 * {@code LD_LIBRARY_PATH}, then the usual library directories) and a function's file offset,
 * from the ELF symbol tables ({@code .symtab}, else {@code .dynsym}) and the section that
 * holds the symbol.
 */
public final class UprobeTargets {
    private static final List<String> LIB_DIRS = List.of("/lib64", "/lib", "/usr/lib64", "/usr/lib",
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu", "/usr/local/lib");
    private static final List<String> BIN_DIRS = List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin");

    private UprobeTargets() {
    }

    /**
     * The binary's path: as given when it contains a {@code '/'}; else the first mapping of
     * process {@code pid} (0 or negative: this process) whose file name is {@code name}, then
     * {@code LD_LIBRARY_PATH} and the library directories ({@code .so} names) or
     * {@code PATH} and the binary directories (other names).
     */
    public static Path resolveBinary(String name, int pid) {
        if (name.contains("/")) {
            Path p = Path.of(name);
            if (!Files.isRegularFile(p)) {
                throw new BpfException("uprobe target binary " + name + " does not exist");
            }
            return p;
        }
        Path mapped = fromMaps(name, pid);
        if (mapped != null) {
            return mapped;
        }
        List<String> dirs = new ArrayList<>();
        boolean library = name.contains(".so");
        String env = System.getenv(library ? "LD_LIBRARY_PATH" : "PATH");
        if (env != null) {
            for (String d : env.split(":")) {
                if (!d.isEmpty()) {
                    dirs.add(d);
                }
            }
        }
        dirs.addAll(library ? LIB_DIRS : BIN_DIRS);
        for (String d : dirs) {
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new BpfException("uprobe target '" + name + "' not found in the mappings of "
                + (pid > 0 ? "process " + pid : "this process") + " nor in " + dirs + "; give a full path");
    }

    private static Path fromMaps(String name, int pid) {
        List<Path> mapped;
        try {
            mapped = MappedFiles.paths(pid);
        } catch (BpfException unreadable) {
            return null; // then the library and binary directories are searched
        }
        for (Path p : mapped) {
            if (p.getFileName().toString().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /**
     * The file offset of function {@code symbol} in {@code binary}, for a uprobe. A version
     * suffix ({@code malloc@@GLIBC_2.2.5}) is ignored; defined functions only.
     */
    public static long symbolOffset(Path binary, String symbol) {
        return symbolOffsets(binary, List.of(symbol)).get(symbol);
    }

    /** The file offsets of several functions, in the order asked; every one must exist. */
    public static Map<String, Long> symbolOffsets(Path binary, List<String> symbols) {
        Map<String, Long> found = new LinkedHashMap<>();
        withElf(binary, elf -> {
            for (ElfSymbol s : functions(elf)) {
                for (String want : symbols) {
                    if (!found.containsKey(want) && s.name().equals(bare(want))) {
                        found.put(want, fileOffset(elf, s, binary));
                    }
                }
            }
        });
        Map<String, Long> ordered = new LinkedHashMap<>();
        for (String want : symbols) {
            Long off = found.get(want);
            if (off == null) {
                throw new BpfException("no function '" + want + "' in " + binary
                        + " (looked in .symtab and .dynsym; is it stripped or static and inlined?)");
            }
            ordered.put(want, off);
        }
        return ordered;
    }

    /** Every defined function whose name matches a glob ({@code *} and {@code ?}), with its file offset. */
    public static Map<String, Long> matchingOffsets(Path binary, String glob) {
        Pattern p = Pattern.compile(globRegex(glob));
        Map<String, Long> found = new LinkedHashMap<>();
        withElf(binary, elf -> {
            for (ElfSymbol s : functions(elf)) {
                if (p.matcher(s.name()).matches() && !found.containsKey(s.name())) {
                    found.put(s.name(), fileOffset(elf, s, binary));
                }
            }
        });
        if (found.isEmpty()) {
            throw new BpfException("no function matching '" + glob + "' in " + binary);
        }
        return found;
    }

    private static String bare(String symbol) {
        int at = symbol.indexOf('@');
        return at < 0 ? symbol : symbol.substring(0, at);
    }

    static String globRegex(String glob) {
        StringBuilder b = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> b.append(".*");
                case '?' -> b.append('.');
                default -> b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return b.toString();
    }

    private static List<ElfSymbol> functions(ElfFile elf) {
        List<ElfSymbol> out = new ArrayList<>();
        for (int type : new int[] {ElfFile.SHT_SYMTAB, ElfFile.SHT_DYNSYM}) {
            for (ElfSection s : elf.sections()) {
                if (s.type() == type) {
                    for (ElfSymbol sym : elf.symbols(s)) {
                        if (sym.type() == ElfFile.STT_FUNC && !sym.isUndefined() && sym.sectionIndex() < 0xff00) {
                            out.add(sym);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static long fileOffset(ElfFile elf, ElfSymbol s, Path binary) {
        ElfSection sec = elf.section(s.sectionIndex());
        if (s.value() < sec.address() || s.value() >= sec.address() + Math.max(sec.size(), 1)) {
            throw new BpfException("symbol '" + s.name() + "' of " + binary + " lies outside its section " + sec.name());
        }
        return s.value() - sec.address() + sec.fileOffset();
    }

    private interface ElfUse {
        void use(ElfFile elf);
    }

    private static void withElf(Path binary, ElfUse use) {
        try (FileChannel ch = FileChannel.open(binary, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            use.use(ElfFile.parse(data));
        } catch (IOException e) {
            throw new BpfException("cannot read uprobe target " + binary + ": " + e.getMessage(), e);
        }
    }
}
