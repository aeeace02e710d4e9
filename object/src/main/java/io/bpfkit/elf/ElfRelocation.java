package io.bpfkit.elf;

/** One {@code Elf64_Rel}: the byte offset in the target section, the symbol and the type. */
public record ElfRelocation(long offset, int symbolIndex, int type) {
}
