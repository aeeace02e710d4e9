package io.bpfkit.map;

import io.bpfkit.sys.MapCalls;
import io.bpfkit.uapi.BpfLayouts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Reusable memory for one single-element call of a handle at a time: the {@code bpf_attr}, the
 * errno capture, a key and a value, in one block, with their addresses read once. A handle's
 * {@link ScratchPool} hands them out, so hot calls allocate nothing and take no lock; the memory
 * is freed by the garbage collector with the thread or the handle, so a call that passes the
 * addresses to the kernel holds its {@code Scratch} until the call returns (the pool's release
 * after the call does).
 */
final class Scratch {
    final MemorySegment attr;
    final MemorySegment callState;
    final MemorySegment key;
    final MemorySegment value;
    final long attrAddress;
    final long keyAddress;
    final long valueAddress;

    Scratch(long keySize, long valueSize) {
        // One block, so that a call touches as few pages as it can: after each system call the
        // TLB may be empty (page-table isolation without PCID), and every page costs a walk.
        long attrSize = PerCpuCodec.roundUp8(BpfLayouts.MAX_ATTR_SIZE);
        long stateSize = PerCpuCodec.roundUp8(MapCalls.CALL_STATE_SIZE);
        long keyRoom = PerCpuCodec.roundUp8(Math.max(keySize, 1));
        MemorySegment block = Arena.ofAuto().allocate(attrSize + stateSize + keyRoom + Math.max(valueSize, 1), 8);
        this.attr = block.asSlice(0, attrSize);
        this.callState = block.asSlice(attrSize, stateSize);
        this.key = block.asSlice(attrSize + stateSize, keyRoom);
        this.value = block.asSlice(attrSize + stateSize + keyRoom);
        this.attrAddress = attr.address();
        this.keyAddress = key.address();
        this.valueAddress = value.address();
    }
}
