package io.bpfkit.load;

import io.bpfkit.api.KernelException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.object.MapSpec;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An arena map's memory mapped into this process at load, as libbpf maps it when it creates
 * the map: {@code max_entries} pages, shared, at the address {@code map_extra} names (or where
 * the kernel chooses when it is 0), with the object's {@code __arena} globals copied to its
 * start. The mapping is what fixes the arena's user address when {@code map_extra} is 0, and
 * programs convert arena pointers with that address, so it is made before any program loads
 * and kept until the object closes.
 *
 * <p>libbpf maps at {@code map_extra} with {@code MAP_FIXED}, which silently replaces whatever
 * the process has there; in a JVM that may be the heap, so this asks for
 * {@code MAP_FIXED_NOREPLACE} and reports an address in use instead of corrupting it.
 */
record ArenaMapping(MemorySegment segment, Arena arena) implements AutoCloseable {

    /**
     * {@code BPF_F_SEGV_ON_FAULT}: user-space access to a page no program allocated gets
     * SIGSEGV instead of a fresh zeroed page.
     */
    static final long BPF_F_SEGV_ON_FAULT = BpfFlags.BPF_F_SEGV_ON_FAULT;

    /** libbpf's {@code bpf_map_mmap_sz} of an arena: one page per entry. */
    static long size(MapSpec m) {
        return m.maxEntries() * Syscalls.pageSize();
    }

    /**
     * libbpf's check at open, made before the map is created: the globals, rounded up to whole
     * pages, must fit in the arena.
     */
    static void checkGlobalsFit(MapSpec m) {
        byte[] data = m.initialData();
        long page = Syscalls.pageSize();
        if (data != null && (data.length + page - 1) / page * page > size(m)) {
            throw new LoadException("map '" + m.name() + "'", "the arena of " + m.maxEntries() + " pages ("
                    + size(m) + " bytes) is too small to hold the object's __arena globals (" + data.length
                    + " bytes); raise its max_entries");
        }
        if (data != null && data.length > 0 && (m.flags() & BPF_F_SEGV_ON_FAULT) != 0) {
            // libbpf copies anyway and the process dies of SIGSEGV: say so instead.
            throw new LoadException("map '" + m.name() + "'", "the arena has flag BPF_F_SEGV_ON_FAULT, so user space"
                    + " cannot write the object's __arena globals (" + data.length + " bytes) into pages no program"
                    + " allocated yet; drop the flag or the globals");
        }
    }

    /** Maps the arena of {@code fd} and copies the {@code __arena} globals of {@code m} to its start. */
    static ArenaMapping map(MapSpec m, OwnedFd fd) {
        String what = "map '" + m.name() + "'";
        long length = size(m);
        if (length <= 0) {
            throw new LoadException(what, "an arena of " + m.maxEntries() + " pages cannot be mapped");
        }
        long address = m.mapExtra();
        int flags = Syscalls.MAP_SHARED | (address != 0 ? Syscalls.MAP_FIXED_NOREPLACE : 0);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapped;
            try {
                mapped = Syscalls.mmap(MemorySegment.ofAddress(address), length,
                        Syscalls.PROT_READ | Syscalls.PROT_WRITE, flags, fd.get(), 0, arena,
                        "mmap of arena " + what + (address != 0 ? " at 0x" + Long.toHexString(address) : ""));
            } catch (KernelException e) {
                if (e.errno() == Errno.EEXIST) {
                    throw new LoadException(what, "the arena's address 0x" + Long.toHexString(address) + " (map_extra)"
                            + " to 0x" + Long.toHexString(address + length) + " is already in use in this process"
                            + " (the JVM's heap or a library); set another map_extra, or 0 to let the kernel choose", e);
                }
                throw e;
            }
            if (address != 0 && mapped.address() != address) {
                // A kernel that predates MAP_FIXED_NOREPLACE takes the address as a hint only.
                throw new LoadException(what, "the arena was mapped at 0x" + Long.toHexString(mapped.address())
                        + ", not at its map_extra 0x" + Long.toHexString(address));
            }
            byte[] data = m.initialData();
            if (data != null && data.length > 0) {
                MemorySegment.copy(data, 0, mapped, ValueLayout.JAVA_BYTE, 0, data.length);
            }
            return new ArenaMapping(mapped, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Unmaps the arena; segments of it throw {@link IllegalStateException} afterwards. Idempotent. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
