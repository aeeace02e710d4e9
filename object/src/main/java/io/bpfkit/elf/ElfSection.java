package io.bpfkit.elf;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * One ELF section header with its bytes. {@code data} is empty for {@code SHT_NOBITS}
 * sections such as {@code .bss}, whose size is still {@link #size()}.
 */
public record ElfSection(int index, String name, int type, long flags, long address, long fileOffset,
                         long size, int link, int info, long alignment, long entrySize,
                         MemorySegment data, ByteOrder order) {

    public boolean isExecutable() {
        return (flags & ElfFile.SHF_EXECINSTR) != 0;
    }

    public boolean isWritable() {
        return (flags & ElfFile.SHF_WRITE) != 0;
    }

    public boolean isAllocated() {
        return (flags & ElfFile.SHF_ALLOC) != 0;
    }

    public boolean isNoBits() {
        return type == ElfFile.SHT_NOBITS;
    }
}
