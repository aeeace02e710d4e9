package io.bpfkit.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small ELF64 relocatable files for tests, in either byte order: a 64-byte header, the
 * section bytes, a {@code .shstrtab} added last, then the section header table. Nothing is
 * checked, so tests can write what no compiler would and patch the result afterwards.
 *
 * <pre>{@code
 * ElfBuilder.Symbols syms = new ElfBuilder.Symbols(order);
 * ElfBuilder b = new ElfBuilder(order);
 * int text = b.add(".text", ElfBuilder.SHT_PROGBITS, ElfBuilder.SHF_ALLOC | ElfBuilder.SHF_EXECINSTR, code);
 * syms.add("prog", ElfBuilder.STB_GLOBAL, ElfBuilder.STT_FUNC, text, 0, code.length);
 * int strtab = b.add(".strtab", ElfBuilder.SHT_STRTAB, 0, syms.strtab());
 * b.add(".symtab", ElfBuilder.SHT_SYMTAB, 0, syms.symtab(), strtab, 1, 24);
 * byte[] elf = b.build().bytes();
 * }</pre>
 */
public final class ElfBuilder {
    public static final int EHDR_SIZE = 64;
    public static final int SHDR_SIZE = 64;
    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_RELA = 4;
    public static final int SHT_NOBITS = 8;
    public static final int SHT_REL = 9;
    public static final long SHF_WRITE = 1;
    public static final long SHF_ALLOC = 2;
    public static final long SHF_EXECINSTR = 4;
    public static final int STB_LOCAL = 0;
    public static final int STB_GLOBAL = 1;
    public static final int STB_WEAK = 2;
    public static final int STT_NOTYPE = 0;
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STT_SECTION = 3;
    public static final int EM_BPF = 247;

    /** One section as it will be written; {@code size} differs from the data's length only for NOBITS. */
    public record Section(String name, int type, long flags, byte[] data, long size, int link, int info,
                          long align, long entsize) {
    }

    /**
     * The written file.
     *
     * @param bytes the file
     * @param shoff where the section header table starts
     * @param dataOffsets the file offset of each section's bytes, by section index
     * @param names the section names, by section index ({@code ""} for index 0)
     */
    public record Built(byte[] bytes, int shoff, long[] dataOffsets, List<String> names, ByteOrder order) {
        /** The file offset of section {@code index}'s header. */
        public int header(int index) {
            return shoff + index * SHDR_SIZE;
        }

        /** The index of the first section called {@code name}. */
        public int index(String name) {
            int i = names.indexOf(name);
            if (i < 0) {
                throw new IllegalArgumentException("no section " + name);
            }
            return i;
        }

        /** Overwrites a field of section {@code index}'s header ({@code fieldOffset} within the 64-byte header). */
        public Built patchHeader(int index, int fieldOffset, int width, long value) {
            Bytes.put(bytes, header(index) + fieldOffset, width, value, order);
            return this;
        }

        /** Overwrites a field of the ELF header. */
        public Built patch(int offset, int width, long value) {
            Bytes.put(bytes, offset, width, value, order);
            return this;
        }
    }

    private final ByteOrder order;
    private final List<Section> sections = new ArrayList<>();
    private int machine = EM_BPF;
    private int type = 1;

    public ElfBuilder(ByteOrder order) {
        this.order = order;
    }

    public ElfBuilder machine(int machine) {
        this.machine = machine;
        return this;
    }

    public ElfBuilder type(int type) {
        this.type = type;
        return this;
    }

    /** Adds a section; returns its index (index 0 is the null section). */
    public int add(String name, int type, long flags, byte[] data) {
        return add(name, type, flags, data, 0, 0, 0);
    }

    /** Adds a section with link, info and entry size; returns its index. */
    public int add(String name, int type, long flags, byte[] data, int link, int info, long entsize) {
        sections.add(new Section(name, type, flags, data.clone(), data.length, link, info, 8, entsize));
        return sections.size();
    }

    /** Adds a {@code SHT_NOBITS} section (such as {@code .bss}) of {@code size} bytes; returns its index. */
    public int addNoBits(String name, long flags, long size) {
        sections.add(new Section(name, SHT_NOBITS, flags, new byte[0], size, 0, 0, 8, 0));
        return sections.size();
    }

    /** The number of sections so far, the null section included; the next section gets this index. */
    public int nextIndex() {
        return sections.size() + 1;
    }

    public Built build() {
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        names.write(0);
        List<Section> all = new ArrayList<>(sections);
        all.add(new Section(".shstrtab", SHT_STRTAB, 0, null, 0, 0, 0, 1, 0));
        int[] nameOffsets = new int[all.size()];
        for (int i = 0; i < all.size(); i++) {
            nameOffsets[i] = names.size();
            names.writeBytes((all.get(i).name() + "\0").getBytes(StandardCharsets.UTF_8));
        }
        byte[] shstrtab = names.toByteArray();
        all.set(all.size() - 1, new Section(".shstrtab", SHT_STRTAB, 0, shstrtab, shstrtab.length, 0, 0, 1, 0));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[EHDR_SIZE]);
        long[] dataOffsets = new long[all.size() + 1];
        for (int i = 0; i < all.size(); i++) {
            pad(out);
            dataOffsets[i + 1] = out.size();
            out.writeBytes(all.get(i).data());
        }
        pad(out);
        int shoff = out.size();
        int shnum = all.size() + 1;
        out.writeBytes(new byte[shnum * SHDR_SIZE]);
        byte[] b = out.toByteArray();

        b[0] = 0x7f;
        b[1] = 'E';
        b[2] = 'L';
        b[3] = 'F';
        b[4] = 2; // ELFCLASS64
        b[5] = (byte) (order == ByteOrder.LITTLE_ENDIAN ? 1 : 2);
        b[6] = 1; // EV_CURRENT
        Bytes.put(b, 16, 2, type, order);
        Bytes.put(b, 18, 2, machine, order);
        Bytes.put(b, 20, 4, 1, order);
        Bytes.put(b, 40, 8, shoff, order);
        Bytes.put(b, 52, 2, EHDR_SIZE, order);
        Bytes.put(b, 58, 2, SHDR_SIZE, order);
        Bytes.put(b, 60, 2, shnum, order);
        Bytes.put(b, 62, 2, shnum - 1, order);
        List<String> sectionNames = new ArrayList<>();
        sectionNames.add("");
        for (int i = 0; i < all.size(); i++) {
            Section s = all.get(i);
            sectionNames.add(s.name());
            int h = shoff + (i + 1) * SHDR_SIZE;
            Bytes.put(b, h, 4, nameOffsets[i], order);
            Bytes.put(b, h + 4, 4, s.type(), order);
            Bytes.put(b, h + 8, 8, s.flags(), order);
            Bytes.put(b, h + 24, 8, dataOffsets[i + 1], order);
            Bytes.put(b, h + 32, 8, s.size(), order);
            Bytes.put(b, h + 40, 4, s.link(), order);
            Bytes.put(b, h + 44, 4, s.info(), order);
            Bytes.put(b, h + 48, 8, s.align(), order);
            Bytes.put(b, h + 56, 8, s.entsize(), order);
        }
        return new Built(b, shoff, dataOffsets, List.copyOf(sectionNames), order);
    }

    private static void pad(ByteArrayOutputStream out) {
        while (out.size() % 8 != 0) {
            out.write(0);
        }
    }

    /** A symbol table and its string table, symbol 0 (the null symbol) included. */
    public static final class Symbols {
        private final ByteOrder order;
        private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
        private final ByteArrayOutputStream symbols = new ByteArrayOutputStream();
        private int count;

        public Symbols(ByteOrder order) {
            this.order = order;
            strings.write(0);
            add("", STB_LOCAL, STT_NOTYPE, 0, 0, 0);
        }

        /** Adds a symbol; returns its index. */
        public int add(String name, int bind, int type, int shndx, long value, long size) {
            return add(name, bind, type, 0, shndx, value, size);
        }

        /** Adds a symbol with a visibility ({@code st_other}); returns its index. */
        public int add(String name, int bind, int type, int visibility, int shndx, long value, long size) {
            int nameOff = 0;
            if (!name.isEmpty()) {
                nameOff = strings.size();
                strings.writeBytes((name + "\0").getBytes(StandardCharsets.UTF_8));
            }
            byte[] e = new byte[24];
            Bytes.put(e, 0, 4, nameOff, order);
            e[4] = (byte) (bind << 4 | type);
            e[5] = (byte) visibility;
            Bytes.put(e, 6, 2, shndx, order);
            Bytes.put(e, 8, 8, value, order);
            Bytes.put(e, 16, 8, size, order);
            symbols.writeBytes(e);
            return count++;
        }

        public byte[] symtab() {
            return symbols.toByteArray();
        }

        public byte[] strtab() {
            return strings.toByteArray();
        }
    }

    /** {@code Elf64_Rel} entries: triples of (offset, symbol index, type). */
    public static byte[] rel(ByteOrder order, long... offsetSymbolType) {
        if (offsetSymbolType.length % 3 != 0) {
            throw new IllegalArgumentException("triples of offset, symbol, type expected");
        }
        byte[] b = new byte[offsetSymbolType.length / 3 * 16];
        for (int i = 0; i < offsetSymbolType.length; i += 3) {
            int o = i / 3 * 16;
            Bytes.put(b, o, 8, offsetSymbolType[i], order);
            Bytes.put(b, o + 8, 8, offsetSymbolType[i + 1] << 32 | (offsetSymbolType[i + 2] & 0xffff_ffffL), order);
        }
        return b;
    }
}
