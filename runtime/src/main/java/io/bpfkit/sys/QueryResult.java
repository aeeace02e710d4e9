package io.bpfkit.sys;

/**
 * The outcome of {@code BPF_PROG_QUERY}: the attach flags of the target and the ids of the
 * programs attached, in order.
 *
 * @param progIds the attached programs (as many as fit the capacity asked for)
 * @param count how many are attached in all (may exceed {@code progIds.length})
 * @param revision the attachment revision (tcx and netkit; 0 elsewhere)
 */
public record QueryResult(int attachFlags, int[] progIds, int count, long revision) {
}
