package io.bpfkit.elf;

/**
 * One entry of the symbol table. {@code binding} is {@code STB_*}, {@code type} is
 * {@code STT_*}, {@code visibility} is {@code STV_*}, {@code sectionIndex} is the index of the
 * section the symbol is defined in, or {@link ElfFile#SHN_UNDEF} for an extern.
 */
public record ElfSymbol(int index, String name, long value, long size, int binding, int type,
                        int visibility, int sectionIndex) {

    public boolean isUndefined() {
        return sectionIndex == ElfFile.SHN_UNDEF;
    }

    public boolean isGlobal() {
        return binding == ElfFile.STB_GLOBAL || binding == ElfFile.STB_WEAK;
    }

    public boolean isWeak() {
        return binding == ElfFile.STB_WEAK;
    }
}
