package io.bpfkit.object;

/**
 * A global variable of a data section ({@code .data}, {@code .bss}, {@code .rodata},
 * {@code .data.*}, {@code .rodata.*}), an {@code __arena} global ({@code .addr_space.1}) or an
 * extern of {@code .kconfig} / {@code .ksyms}, as the BTF {@code DATASEC} describes it.
 *
 * @param section the section, e.g. {@code .rodata}
 * @param name the variable's name
 * @param offset byte offset in the section (for an {@code __arena} global, also from the start
 *     of the arena's memory, where the loader copies the section)
 * @param size size in bytes
 * @param typeId the BTF type id of the variable's type
 * @param type the type as C would spell it, e.g. {@code unsigned int} or {@code char[16]}
 * @param linkage {@code static}, {@code global} or {@code extern}
 */
public record GlobalVariable(String section, String name, long offset, long size, int typeId, String type,
                             String linkage) {
}
