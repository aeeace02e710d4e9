package io.bpfkit.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a little-endian ELF64 relocatable file ({@code ET_REL}), as eBPF objects are: sections
 * with their bytes (or a size, for {@code SHT_NOBITS}), one {@code .strtab} that holds both the
 * section names and the symbol names, as clang and libbpf's linker write it, and a symbol table.
 *
 * <pre>{@code
 * ElfWriter w = new ElfWriter(ElfFile.EM_BPF);
 * int text = w.addSection("xdp", ElfFile.SHT_PROGBITS, ElfFile.SHF_ALLOC | ElfFile.SHF_EXECINSTR, 8, 0, code);
 * w.addSymbol("prog", ElfFile.STB_GLOBAL, ElfFile.STT_FUNC, 0, text, 0, code.length);
 * byte[] object = w.toBytes();
 * }</pre>
 */
public final class ElfWriter {
    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int SYM_SIZE = 24;

    private record Section(String name, int type, long flags, long align, long entsize, byte[] data,
                           long noBitsSize, int link, int info) {
    }

    private record Symbol(String name, int info, int other, int shndx, long value, long size) {
    }

    private final int machine;
    private final List<Section> sections = new ArrayList<>();
    private final List<Symbol> symbols = new ArrayList<>();
    private final StringTable strtab = new StringTable();
    private int firstGlobal = -1;

    /** A writer for {@code e_machine} {@code machine} ({@link ElfFile#EM_BPF} for eBPF). */
    public ElfWriter(int machine) {
        this.machine = machine;
        sections.add(new Section("", ElfFile.SHT_NULL, 0, 0, 0, new byte[0], 0, 0, 0));
        symbols.add(new Symbol("", 0, 0, 0, 0, 0));
    }

    /**
     * Adds a section; returns its index. {@code link} and {@code info} are set by
     * {@link #addSection(String, int, long, long, long, byte[], int, int)}.
     */
    public int addSection(String name, int type, long flags, long align, long entsize, byte[] data) {
        return addSection(name, type, flags, align, entsize, data, 0, 0);
    }

    /** Adds a section with its {@code sh_link} and {@code sh_info}; returns its index. */
    public int addSection(String name, int type, long flags, long align, long entsize, byte[] data,
                          int link, int info) {
        sections.add(new Section(name, type, flags, align, entsize, data.clone(), 0, link, info));
        return sections.size() - 1;
    }

    /** Adds an {@code SHT_NOBITS} section of {@code size} bytes; returns its index. */
    public int addNoBits(String name, long flags, long align, long size) {
        sections.add(new Section(name, ElfFile.SHT_NOBITS, flags, align, 0, new byte[0], size, 0, 0));
        return sections.size() - 1;
    }

    /** The index the next section added will get. */
    public int nextSectionIndex() {
        return sections.size();
    }

    /**
     * Adds a symbol and returns its index. All {@link ElfFile#STB_LOCAL} symbols must come
     * before the first global or weak one, as the ELF specification requires.
     */
    public int addSymbol(String name, int binding, int type, int visibility, int shndx, long value, long size) {
        if (binding == ElfFile.STB_LOCAL) {
            if (firstGlobal >= 0) {
                throw new IllegalStateException("local symbol '" + name + "' after a global one");
            }
        } else if (firstGlobal < 0) {
            firstGlobal = symbols.size();
        }
        symbols.add(new Symbol(name, (binding << 4) | (type & 0xf), visibility & 3, shndx, value, size));
        return symbols.size() - 1;
    }

    /**
     * The file: the sections added, then {@code .symtab} and {@code .strtab}. A relocation
     * section's {@code sh_link} of {@code -1} is set to the symbol table's index.
     */
    public byte[] toBytes() {
        int symtabIndex = sections.size();
        int strtabIndex = symtabIndex + 1;
        List<Section> all = new ArrayList<>(sections);
        ByteBuffer syms = ByteBuffer.allocate(symbols.size() * SYM_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (Symbol s : symbols) {
            syms.putInt(strtab.add(s.name)).put((byte) s.info).put((byte) s.other).putShort((short) s.shndx)
                    .putLong(s.value).putLong(s.size);
        }
        all.add(new Section(".symtab", ElfFile.SHT_SYMTAB, 0, 8, SYM_SIZE, syms.array(), 0, strtabIndex,
                firstGlobal < 0 ? symbols.size() : firstGlobal));
        int[] names = new int[all.size() + 1];
        for (int i = 0; i < all.size(); i++) {
            names[i] = strtab.add(all.get(i).name);
        }
        names[all.size()] = strtab.add(".strtab");
        all.add(new Section(".strtab", ElfFile.SHT_STRTAB, 0, 1, 0, strtab.bytes(), 0, 0, 0));

        long offset = EHDR_SIZE;
        long[] offsets = new long[all.size()];
        for (int i = 1; i < all.size(); i++) {
            Section s = all.get(i);
            long align = Math.max(1, s.align);
            offset = (offset + align - 1) / align * align;
            offsets[i] = offset;
            if (s.type != ElfFile.SHT_NOBITS) {
                offset += s.data.length;
            }
        }
        long shoff = (offset + 7) & ~7L;
        ByteBuffer out = ByteBuffer.allocate((int) (shoff + (long) all.size() * SHDR_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        out.position(16);
        out.putShort((short) ElfFile.ET_REL).putShort((short) machine).putInt(1).putLong(0).putLong(0)
                .putLong(shoff).putInt(0).putShort((short) EHDR_SIZE).putShort((short) 0).putShort((short) 0)
                .putShort((short) SHDR_SIZE).putShort((short) all.size()).putShort((short) strtabIndex);
        for (int i = 1; i < all.size(); i++) {
            Section s = all.get(i);
            if (s.type != ElfFile.SHT_NOBITS) {
                out.put((int) offsets[i], s.data);
            }
        }
        for (int i = 0; i < all.size(); i++) {
            Section s = all.get(i);
            int h = (int) (shoff + (long) i * SHDR_SIZE);
            out.position(h);
            long size = s.type == ElfFile.SHT_NOBITS ? s.noBitsSize : s.data.length;
            int link = s.link == -1 ? symtabIndex : s.link;
            out.putInt(i == 0 ? 0 : names[i]).putInt(s.type).putLong(s.flags).putLong(0).putLong(offsets[i])
                    .putLong(size).putInt(link).putInt(s.info).putLong(s.align).putLong(s.entsize);
        }
        return out.array();
    }
}
