package io.bpfkit.usdt;

import io.bpfkit.api.LoadException;
import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfNote;
import io.bpfkit.elf.ElfSection;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The USDT probes of one ELF file, read from its {@code .note.stapsdt} notes as libbpf's
 * {@code usdt.c} reads them: each note's address is moved by the difference between the
 * {@code .stapsdt.base} section's address and the base the note recorded (prelink), then
 * turned into a file offset through the loadable segment that holds it, which must be
 * executable; a semaphore's address likewise, through a segment that must not be.
 *
 * <pre>{@code
 * UsdtNotes notes = UsdtNotes.read(Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/lib/server/libjvm.so"));
 * notes.probes().forEach(p -> System.out.println(p.label() + " " + p.arguments()));
 * List<UsdtProbe> gcBegin = notes.find("hotspot", "gc__begin");   // every site of that probe
 * }</pre>
 *
 * @param source the file's path, for messages
 * @param elfType {@code e_type}: {@code ET_EXEC} (2) or {@code ET_DYN} (3, also PIE executables)
 * @param machine {@code e_machine}
 * @param order the file's byte order
 * @param hasNoteSection whether the file has a {@code .note.stapsdt} section at all
 * @param segments the loadable segments
 * @param probes every probe site, in note order
 */
public record UsdtNotes(String source, int elfType, int machine, ByteOrder order, boolean hasNoteSection,
        List<Segment> segments, List<UsdtProbe> probes) {
    /** The section of the notes. */
    public static final String NOTE_SECTION = ".note.stapsdt";
    /** The section whose address the notes' base is compared with. */
    public static final String BASE_SECTION = ".stapsdt.base";
    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;
    private static final int NT_STAPSDT = 3;
    private static final int PT_LOAD = 1;
    private static final int PF_X = 1;
    private static final int PHDR_SIZE = 56;

    public UsdtNotes {
        segments = List.copyOf(segments);
        probes = List.copyOf(probes);
    }

    /**
     * A loadable segment ({@code PT_LOAD}).
     *
     * @param start its virtual address
     * @param end its end ({@code start + p_memsz})
     * @param fileOffset its file offset
     * @param executable whether it has {@code PF_X}
     */
    public record Segment(long start, long end, long fileOffset, boolean executable) {
        boolean contains(long address) {
            return Long.compareUnsigned(start, address) <= 0 && Long.compareUnsigned(address, end) < 0;
        }
    }

    /** The architecture whose argument specs the notes hold, or null when bpfkit does not read them. */
    public UsdtArch arch() {
        return UsdtArch.forMachine(machine);
    }

    /**
     * Reads the notes of an ELF file (a binary or a shared library).
     *
     * @throws ObjectFormatException when the file is not a well-formed ELF64 file or a note is malformed
     * @throws LoadException when the file cannot be read
     */
    public static UsdtNotes read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return parse(data, file.toString());
        } catch (IOException e) {
            throw new LoadException("USDT notes of " + file, "cannot read the file: " + e, e);
        }
    }

    /** Reads the notes of the ELF file in {@code data}; {@code source} names it in messages. */
    public static UsdtNotes parse(MemorySegment data, String source) {
        try {
            ElfFile elf = ElfFile.parse(data);
            List<Segment> segments = segments(elf, data);
            ElfSection notes = elf.section(NOTE_SECTION).orElse(null);
            if (notes == null) {
                return new UsdtNotes(source, elf.type(), elf.machine(), elf.order(), false, segments, List.of());
            }
            long base = elf.section(BASE_SECTION).map(ElfSection::address).orElse(0L);
            List<UsdtProbe> probes = new ArrayList<>();
            MemorySegment d = notes.data();
            ValueLayout.OfLong u64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(elf.order());
            for (ElfNote note : ElfNote.read(notes, elf.order())) {
                if (note.type() == NT_STAPSDT && note.owner().equals("stapsdt")) {
                    probes.add(probe(d, note.offset(), note.descOffset(), note.descSize(), u64, base, segments));
                }
            }
            return new UsdtNotes(source, elf.type(), elf.machine(), elf.order(), true, segments, probes);
        } catch (ObjectFormatException e) {
            throw e.inFile(source);
        }
    }

    private static UsdtProbe probe(MemorySegment d, long noteOffset, long descAt, long descSize,
            ValueLayout.OfLong u64, long base, List<Segment> segments) {
        if (descSize < 24 + 3) {
            throw new ObjectFormatException(NOTE_SECTION, noteOffset, "stapsdt note of " + descSize
                    + " bytes is too short for three addresses and three strings");
        }
        long pc = d.get(u64, descAt);
        long noteBase = d.get(u64, descAt + 8);
        long semaphore = d.get(u64, descAt + 16);
        long end = descAt + descSize;
        long at = descAt + 24;
        long providerEnd = nul(d, at, end, noteOffset, "provider");
        String provider = string(d, at, providerEnd);
        long nameEnd = nul(d, providerEnd + 1, end, noteOffset, "name");
        String name = string(d, providerEnd + 1, nameEnd);
        if (name.isEmpty()) {
            throw new ObjectFormatException(NOTE_SECTION, noteOffset, "stapsdt note of provider '" + provider
                    + "' has an empty name");
        }
        if (nameEnd + 1 >= end) {
            throw new ObjectFormatException(NOTE_SECTION, noteOffset, "stapsdt note " + provider + ":" + name
                    + " has no argument string");
        }
        long argsEnd = nul(d, nameEnd + 1, end, noteOffset, "argument string");
        String args = string(d, nameEnd + 1, argsEnd);
        if (args.startsWith(":")) {
            args = "";
        }
        long address = pc;
        if (base != 0 && noteBase != 0) {
            address += base - noteBase;
        }
        String label = provider + ":" + name;
        Segment text = segment(segments, address);
        if (text == null || !text.executable()) {
            throw new ObjectFormatException(NOTE_SECTION, noteOffset, "probe " + label + " at 0x"
                    + Long.toHexString(address) + (text == null ? " lies in no loadable segment"
                    : " lies in a segment that is not executable"));
        }
        long fileOffset = address - text.start() + text.fileOffset();
        long semaphoreOffset = 0;
        if (semaphore != 0) {
            Segment data = segment(segments, semaphore);
            if (data == null || data.executable()) {
                throw new ObjectFormatException(NOTE_SECTION, noteOffset, "semaphore of probe " + label
                        + " at 0x" + Long.toHexString(semaphore) + (data == null ? " lies in no loadable segment"
                        : " lies in an executable segment"));
            }
            semaphoreOffset = semaphore - data.start() + data.fileOffset();
        }
        return new UsdtProbe(provider, name, address, noteBase, semaphore, args, fileOffset, semaphoreOffset,
                noteOffset);
    }

    private static Segment segment(List<Segment> segments, long address) {
        for (Segment s : segments) {
            if (s.contains(address)) {
                return s;
            }
        }
        return null;
    }

    private static List<Segment> segments(ElfFile elf, MemorySegment data) {
        ValueLayout.OfInt u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(elf.order());
        ValueLayout.OfLong u64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(elf.order());
        ValueLayout.OfShort u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(elf.order());
        long phoff = data.get(u64, 32);
        int phentsize = Short.toUnsignedInt(data.get(u16, 54));
        int phnum = Short.toUnsignedInt(data.get(u16, 56));
        List<Segment> out = new ArrayList<>();
        if (phnum == 0) {
            return out;
        }
        if (phentsize != PHDR_SIZE || phoff < 0 || phoff > data.byteSize()
                || (long) phnum * PHDR_SIZE > data.byteSize() - phoff) {
            throw new ObjectFormatException(null, 32, "program header table (" + phnum + " entries of "
                    + phentsize + " bytes at 0x" + Long.toHexString(phoff) + ") lies outside the file or has "
                    + "entries that are not 56 bytes");
        }
        for (int i = 0; i < phnum; i++) {
            long h = phoff + (long) i * PHDR_SIZE;
            if (data.get(u32, h) != PT_LOAD) {
                continue;
            }
            int flags = data.get(u32, h + 4);
            long offset = data.get(u64, h + 8);
            long vaddr = data.get(u64, h + 16);
            long memsz = data.get(u64, h + 40);
            out.add(new Segment(vaddr, vaddr + memsz, offset, (flags & PF_X) != 0));
        }
        return out;
    }

    private static long nul(MemorySegment d, long from, long end, long noteOffset, String what) {
        for (long i = from; i < end; i++) {
            if (d.get(ValueLayout.JAVA_BYTE, i) == 0) {
                return i;
            }
        }
        throw new ObjectFormatException(NOTE_SECTION, noteOffset, "stapsdt note's " + what
                + " is not NUL-terminated");
    }

    private static String string(MemorySegment d, long from, long to) {
        long end = from;
        while (end < to && d.get(ValueLayout.JAVA_BYTE, end) != 0) {
            end++;
        }
        return new String(d.asSlice(from, end - from).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /**
     * Every site of probe {@code provider:name}.
     *
     * @throws LoadException when the file has no USDT notes, or none of that provider and name
     *     (the message lists the providers it has)
     */
    public List<UsdtProbe> find(String provider, String name) {
        if (probes.isEmpty()) {
            throw new LoadException("USDT probe " + provider + ":" + name, source + " has no USDT probes ("
                    + (hasNoteSection ? "its " + NOTE_SECTION + " section holds no stapsdt note"
                    : "no " + NOTE_SECTION + " section") + ")");
        }
        List<UsdtProbe> found = probes.stream()
                .filter(p -> p.provider().equals(provider) && p.name().equals(name)).toList();
        if (found.isEmpty()) {
            TreeSet<String> providers = new TreeSet<>();
            probes.forEach(p -> providers.add(p.provider()));
            boolean knownProvider = providers.contains(provider);
            throw new LoadException("USDT probe " + provider + ":" + name, "not in " + source + " ("
                    + (knownProvider ? "provider '" + provider + "' has " + probes.stream()
                            .filter(p -> p.provider().equals(provider)).map(UsdtProbe::name).distinct().count()
                            + " other probes" : "its providers are " + providers) + ")");
        }
        return found;
    }
}
