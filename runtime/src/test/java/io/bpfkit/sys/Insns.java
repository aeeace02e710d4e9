package io.bpfkit.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** A tiny eBPF assembler for hand-written test programs (little-endian hosts). */
final class Insns {
    static final int R0 = 0;
    static final int R1 = 1;
    static final int R2 = 2;
    static final int R10 = 10;

    static final int R3 = 3;
    static final int R4 = 4;

    static final int HELPER_MAP_LOOKUP_ELEM = 1;
    static final int HELPER_RINGBUF_OUTPUT = 130;

    private final List<Long> words = new ArrayList<>();

    static long encode(int code, int dst, int src, int off, int imm) {
        return (code & 0xffL) | ((long) (dst & 0xf) << 8) | ((long) (src & 0xf) << 12) | ((long) (off & 0xffff) << 16)
                | ((long) imm << 32);
    }

    private Insns add(int code, int dst, int src, int off, int imm) {
        words.add(encode(code, dst, src, off, imm));
        return this;
    }

    /** dst = imm (64-bit). */
    Insns movImm(int dst, int imm) {
        return add(0xb7, dst, 0, 0, imm);
    }

    /** dst = src (64-bit). */
    Insns movReg(int dst, int src) {
        return add(0xbf, dst, src, 0, 0);
    }

    /** dst += imm (64-bit). */
    Insns addImm(int dst, int imm) {
        return add(0x07, dst, 0, 0, imm);
    }

    /** *(u32 *)(dst + off) = imm. */
    Insns stW(int dst, int off, int imm) {
        return add(0x62, dst, 0, off, imm);
    }

    /** *(u64 *)(dst + off) = imm. */
    Insns stDw(int dst, int off, int imm) {
        return add(0x7a, dst, 0, off, imm);
    }

    /** lock *(u64 *)(dst + off) += src. */
    Insns atomicAddDw(int dst, int src, int off) {
        return add(0xdb, dst, src, off, 0);
    }

    /** dst = map (ld_imm64 with BPF_PSEUDO_MAP_FD). */
    Insns ldMapFd(int dst, int fd) {
        add(0x18, dst, 1, 0, fd);
        return add(0, 0, 0, 0, 0);
    }

    /** call helper. */
    Insns call(int helper) {
        return add(0x85, 0, 0, 0, helper);
    }

    /** if dst == imm goto +off. */
    Insns jeqImm(int dst, int imm, int off) {
        return add(0x15, dst, 0, off, imm);
    }

    Insns exit() {
        return add(0x95, 0, 0, 0, 0);
    }

    int count() {
        return words.size();
    }

    MemorySegment toSegment(Arena arena) {
        MemorySegment s = arena.allocate(8L * words.size(), 8);
        for (int i = 0; i < words.size(); i++) {
            s.setAtIndex(ValueLayout.JAVA_LONG, i, words.get(i));
        }
        return s;
    }

    /** Writes 8 zero bytes to a ring buffer map with bpf_ringbuf_output, returns 0. */
    static Insns ringbufOutput(int mapFd) {
        return new Insns()
                .stDw(R10, -8, 0)
                .ldMapFd(R1, mapFd)
                .movReg(R2, R10)
                .addImm(R2, -8)
                .movImm(R3, 8)
                .movImm(R4, 0)
                .call(HELPER_RINGBUF_OUTPUT)
                .movImm(R0, 0)
                .exit();
    }

    /** {@code r0 = value; exit}. */
    static Insns returning(int value) {
        return new Insns().movImm(R0, value).exit();
    }

    /**
     * Increments the u64 at key 0 of an array map: lookup, atomic add 1, return 0. Works for
     * raw_tp, perf_event, socket filter programs.
     */
    static Insns countInto(int mapFd) {
        return new Insns()
                .stW(R10, -4, 0)
                .movReg(R2, R10)
                .addImm(R2, -4)
                .ldMapFd(R1, mapFd)
                .call(HELPER_MAP_LOOKUP_ELEM)
                .jeqImm(R0, 0, 2)
                .movImm(R1, 1)
                .atomicAddDw(R0, R1, 0)
                .movImm(R0, 0)
                .exit();
    }
}
