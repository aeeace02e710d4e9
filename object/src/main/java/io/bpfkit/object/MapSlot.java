package io.bpfkit.object;

/**
 * An initial entry of a program array or map-of-maps, from the {@code values} member of a
 * BTF-defined map: slot {@code index} holds the program or map named {@code target}.
 */
public record MapSlot(int index, String target) {
}
