package io.bpfkit.object;

/**
 * One relocation of a program's instruction, as recorded in the object: what the instruction
 * at {@code instruction} (an index into the program's own instructions) must be made to
 * refer to at load time.
 *
 * @param instruction index of the instruction in its program
 * @param kind what the instruction refers to
 * @param symbol the ELF symbol named by the relocation (a map, a variable, a function, an
 *     extern, or a section symbol)
 * @param target the map name for {@link Kind#MAP} and {@link Kind#DATA} (the global data
 *     section's map, e.g. {@code .bss}, or for an {@code __arena} global the object's arena
 *     map), the code section for calls and function pointers, the
 *     extern's name for externs
 * @param symbolValue the symbol's value: its offset inside the target section (0 for section
 *     symbols, whose offset sits in the instruction's immediate)
 */
public record Relocation(int instruction, Kind kind, String symbol, String target, long symbolValue) {

    /** What a relocated instruction refers to. */
    public enum Kind {
        /** {@code ld_imm64} of a map: becomes {@code BPF_PSEUDO_MAP_FD}. */
        MAP,
        /**
         * {@code ld_imm64} of a global variable: becomes {@code BPF_PSEUDO_MAP_VALUE} + offset
         * (for an {@code __arena} global, of the arena map: the offset from the arena's start).
         */
        DATA,
        /** A bpf-to-bpf call ({@code BPF_PSEUDO_CALL}) into a subprogram. */
        CALL,
        /** {@code ld_imm64} of a function address ({@code BPF_PSEUDO_FUNC}), e.g. a bpf_loop callback. */
        FUNCTION_POINTER,
        /** {@code ld_imm64} of an extern variable ({@code .kconfig} or {@code .ksyms}). */
        EXTERN_VARIABLE,
        /** A call of an extern function: a kfunc. */
        EXTERN_CALL
    }
}
