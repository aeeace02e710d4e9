package io.bpfkit.object;

import io.bpfkit.uapi.BpfInsn;
import java.nio.ByteOrder;

/**
 * Reading the fields of 8-byte eBPF instructions held as bytes in the object's byte order.
 * The register nibbles swap places between little- and big-endian objects.
 */
public final class Instructions {
    public static final int SIZE = 8;

    /** The opcode of the first half of a 16-byte 64-bit immediate load ({@code lddw}). */
    public static final int OP_LD_IMM64 = BpfInsn.BPF_LD | BpfInsn.BPF_IMM | BpfInsn.BPF_DW;
    /** The opcode of a call (helper, kfunc or BPF-to-BPF). */
    public static final int OP_CALL = BpfInsn.BPF_JMP | BpfInsn.BPF_CALL;
    /** The opcode of {@code exit}. */
    public static final int OP_EXIT = BpfInsn.BPF_JMP | BpfInsn.BPF_EXIT;

    private Instructions() {
    }

    public static int opcode(byte[] insns, int index) {
        return Byte.toUnsignedInt(insns[index * SIZE]);
    }

    public static int srcReg(byte[] insns, int index, ByteOrder order) {
        int regs = Byte.toUnsignedInt(insns[index * SIZE + 1]);
        return order == ByteOrder.LITTLE_ENDIAN ? regs >>> 4 : regs & 0xf;
    }

    public static int dstReg(byte[] insns, int index, ByteOrder order) {
        int regs = Byte.toUnsignedInt(insns[index * SIZE + 1]);
        return order == ByteOrder.LITTLE_ENDIAN ? regs & 0xf : regs >>> 4;
    }

    public static short offset(byte[] insns, int index, ByteOrder order) {
        int b = index * SIZE + 2;
        int lo = Byte.toUnsignedInt(insns[b]);
        int hi = Byte.toUnsignedInt(insns[b + 1]);
        return (short) (order == ByteOrder.LITTLE_ENDIAN ? lo | hi << 8 : hi | lo << 8);
    }

    public static int imm(byte[] insns, int index, ByteOrder order) {
        int b = index * SIZE + 4;
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int shift = order == ByteOrder.LITTLE_ENDIAN ? 8 * i : 8 * (3 - i);
            v |= Byte.toUnsignedInt(insns[b + i]) << shift;
        }
        return v;
    }

    public static void setImm(byte[] insns, int index, int imm, ByteOrder order) {
        int b = index * SIZE + 4;
        for (int i = 0; i < 4; i++) {
            int shift = order == ByteOrder.LITTLE_ENDIAN ? 8 * i : 8 * (3 - i);
            insns[b + i] = (byte) (imm >>> shift);
        }
    }

    public static void setOffset(byte[] insns, int index, short off, ByteOrder order) {
        int b = index * SIZE + 2;
        boolean le = order == ByteOrder.LITTLE_ENDIAN;
        insns[b] = (byte) (le ? off : off >>> 8);
        insns[b + 1] = (byte) (le ? off >>> 8 : off);
    }

    /** Sets the source register nibble, which sits on the other side in big-endian objects. */
    public static void setSrcReg(byte[] insns, int index, int src, ByteOrder order) {
        int b = index * SIZE + 1;
        int regs = Byte.toUnsignedInt(insns[b]);
        insns[b] = (byte) (order == ByteOrder.LITTLE_ENDIAN ? (regs & 0x0f) | src << 4 : (regs & 0xf0) | src);
    }
}
