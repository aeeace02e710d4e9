package io.bpfkit.sys;

import io.bpfkit.api.OwnedFd;
import io.bpfkit.uapi.BpfLayouts;
import java.lang.foreign.MemorySegment;

/**
 * What {@code BPF_LINK_CREATE} takes: the program, the target (a descriptor or an ifindex,
 * depending on the attach type), the attach type, flags, and the attach-type specific part of
 * {@code attr.link_create} as a {@link Variant}.
 *
 * <pre>{@code
 * // a perf_event link (attach type 41, BPF_PERF_EVENT) with a BPF cookie
 * Fd link = Bpf.linkCreate(new LinkCreateAttr(prog.get(), perfEvent.get(), 41, 0,
 *         new LinkCreateAttr.PerfEvent(1234L), "on_cycles"));
 * }</pre>
 *
 * @param progFd the program (or the struct_ops map, for struct_ops links)
 * @param target the target descriptor or ifindex; 0 for tracing links
 * @param name the program's name for messages and the {@link Fd} label, or null
 */
public record LinkCreateAttr(int progFd, int target, int attachType, int flags, Variant variant, String name) {

    public LinkCreateAttr {
        if (variant == null) {
            variant = new None();
        }
    }

    /** The attach-type specific part, written at offset 16 of {@code attr.link_create}. */
    public sealed interface Variant permits None, TargetBtfId, Iter, PerfEvent, KprobeMulti, Tracing, Netfilter,
            Relative, UprobeMulti, Raw {
    }

    /** Nothing beyond the common fields. */
    public record None() implements Variant {
    }

    /** {@code target_btf_id} (freplace, struct_ops-less tracing without a cookie). */
    public record TargetBtfId(int targetBtfId) implements Variant {
    }

    /** {@code iter_info}/{@code iter_info_len}: a {@code union bpf_iter_link_info} in native memory. */
    public record Iter(MemorySegment iterInfo) implements Variant {
    }

    /** {@code perf_event.bpf_cookie}. */
    public record PerfEvent(long bpfCookie) implements Variant {
    }

    /**
     * {@code kprobe_multi}: either symbols (native array of char pointers, {@code cnt} of them) or
     * addresses; cookies optional. Segments must be native, {@code null} for none.
     */
    public record KprobeMulti(int flags, int cnt, MemorySegment syms, MemorySegment addrs, MemorySegment cookies)
            implements Variant {
    }

    /** {@code tracing.target_btf_id}, {@code tracing.cookie}. */
    public record Tracing(int targetBtfId, long cookie) implements Variant {
    }

    /** {@code netfilter}: protocol family, hook, priority, flags ({@code BPF_F_NETFILTER_IP_DEFRAG}). */
    public record Netfilter(int pf, int hooknum, int priority, int flags) implements Variant {
    }

    /**
     * {@code tcx}, {@code netkit} and {@code cgroup} (same shape): a program or link to attach
     * before/after ({@code BPF_F_BEFORE}/{@code BPF_F_AFTER}, with {@code BPF_F_ID} when it is an
     * id), and the expected revision (0: any).
     */
    public record Relative(int relativeFdOrId, long expectedRevision) implements Variant {
    }

    /**
     * {@code uprobe_multi}: a binary path, offsets, optional reference counter offsets and
     * cookies (native arrays of {@code cnt} u64, or null), flags
     * ({@code BPF_F_UPROBE_MULTI_RETURN}) and a pid filter (0: all).
     */
    public record UprobeMulti(String path, MemorySegment offsets, MemorySegment refCtrOffsets,
            MemorySegment cookies, int cnt, int flags, int pid) implements Variant {
    }

    /**
     * Raw bytes for the union part (at most 48), for variants this class does not model;
     * pointers in it must point at memory that stays alive for the call.
     */
    public record Raw(MemorySegment tail) implements Variant {
        public Raw {
            if (tail.byteSize() > BpfLayouts.LINK_CREATE.byteSize() - 16) {
                throw new IllegalArgumentException("link_create union part is at most 48 bytes, got "
                        + tail.byteSize());
            }
        }
    }
}
