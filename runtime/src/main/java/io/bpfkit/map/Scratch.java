package io.bpfkit.map;

import io.bpfkit.sys.Bpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One thread's reusable memory for a handle's single-element calls: the {@code bpf_attr}, a
 * key, a value and a second key (for get-next-key), with their addresses read once. Made per
 * handle and thread ({@link ThreadLocal}), so hot calls allocate nothing and take no lock; the
 * memory is freed by the garbage collector with the thread or the handle.
 */
final class Scratch {
    final MemorySegment attr;
    final MemorySegment key;
    final MemorySegment value;
    final long keyAddress;
    final long valueAddress;

    Scratch(long keySize, long valueSize) {
        Arena arena = Arena.ofAuto();
        this.attr = Bpf.newScratch(arena);
        this.key = arena.allocate(Math.max(keySize, 1), 8);
        this.value = arena.allocate(Math.max(valueSize, 1), 8);
        this.keyAddress = key.address();
        this.valueAddress = value.address();
    }

    static ThreadLocal<Scratch> perThread(long keySize, long valueSize) {
        return ThreadLocal.withInitial(() -> new Scratch(keySize, valueSize));
    }
}
