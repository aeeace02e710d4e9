package io.bpfkit.map;

import io.bpfkit.api.KernelException;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An mmap-able map's memory ({@code BPF_F_MMAPABLE}) mapped into this process, shared with the
 * programs, and the arena that unmaps it. Writable unless asked not to be or the kernel refuses
 * a writable mapping; then the segment is read-only, so a write throws instead of faulting.
 */
record MapMemory(MemorySegment segment, Arena arena) implements AutoCloseable {

    /**
     * Maps the first {@code bytes} of {@code ref}'s memory. With {@code writable}, a map the
     * kernel will not map writable (frozen: EPERM; {@code BPF_F_RDONLY_PROG}: EACCES) is mapped
     * read-only instead; the map flags the kernel reports do not tell either in advance.
     *
     * @return null when the descriptor is not open for both reading and writing: the kernel
     *     makes a shared mapping of a read-only file private, which BPF maps refuse
     */
    static MapMemory map(MapRef ref, long bytes, boolean writable, String what) {
        int fd = ref.fd().get();
        if ((Syscalls.fileStatusFlags(fd) & Syscalls.O_ACCMODE) != Syscalls.O_RDWR) {
            return null;
        }
        long page = Syscalls.pageSize();
        long length = Math.max(page, (bytes + page - 1) / page * page);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapped;
            try {
                mapped = Syscalls.mmap(fd, length,
                        writable ? Syscalls.PROT_READ | Syscalls.PROT_WRITE : Syscalls.PROT_READ, Syscalls.MAP_SHARED,
                        0L, arena, "mmap of " + what);
            } catch (KernelException e) {
                if (!writable || e.errno() != Errno.EPERM && e.errno() != Errno.EACCES) {
                    throw e;
                }
                mapped = Syscalls.mmap(fd, length, Syscalls.PROT_READ, Syscalls.MAP_SHARED, 0L, arena,
                        "read-only mmap of " + what);
            }
            return new MapMemory(mapped.asSlice(0, bytes), arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    boolean writable() {
        return !segment.isReadOnly();
    }

    /** Unmaps the memory; segments taken from it throw {@link IllegalStateException} afterwards. */
    @Override
    public void close() {
        arena.close();
    }
}
