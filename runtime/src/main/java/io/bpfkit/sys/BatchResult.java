package io.bpfkit.sys;

/**
 * The outcome of a {@code BPF_MAP_*_BATCH} command.
 *
 * @param count how many elements the kernel processed (filled in, updated or deleted)
 * @param done true when the kernel reached the end of the map (ENOENT from a lookup batch,
 *        which is not an error) or processed every element it was given
 */
public record BatchResult(int count, boolean done) {
}
