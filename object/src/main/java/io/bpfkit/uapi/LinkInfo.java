package io.bpfkit.uapi;

/**
 * {@code struct bpf_link_info} of a link, common part plus what bpfkit reads of the variant.
 *
 * @param type {@code enum bpf_link_type} (1 raw_tracepoint, 2 tracing, 7 perf_event, ...)
 * @param tpName the tracepoint of a raw_tracepoint link, else null
 * @param attachType the attach type of a tracing link, else 0
 * @param cookie the BPF cookie of a raw_tracepoint or tracing link, else 0
 */
public record LinkInfo(int type, int id, int progId, String tpName, int attachType, long cookie) {
}
