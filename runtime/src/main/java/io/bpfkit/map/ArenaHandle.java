package io.bpfkit.map;

import io.bpfkit.api.KernelException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.UnsupportedFeatureException;
import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.map.BpfArena;
import io.bpfkit.object.GlobalVariable;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An arena map's memory. On a loaded object's arena it uses the mapping the load made (the
 * one that fixed the arena's user address; the kernel takes no second one at another
 * address), which the object unmaps when it closes. On an arena from a pin or an id it maps
 * the arena itself, at the address the arena was created for ({@code map_extra}) when it
 * names one, and unmaps it on close.
 */
final class ArenaHandle extends MapHandle implements BpfArena {
    /** {@code BPF_F_SEGV_ON_FAULT}: user access to a page no program allocated is a SIGSEGV. */
    private static final int BPF_F_SEGV_ON_FAULT = BpfFlags.BPF_F_SEGV_ON_FAULT;

    private final Map<String, GlobalVariable> globals = new LinkedHashMap<>();
    private final MemorySegment segment;
    /** The handle's own mapping, or null when it borrows the loaded object's. */
    private final Arena own;

    ArenaHandle(MapRef ref, MemorySegment loaded) {
        super(ref, types(MapType.ARENA));
        if ((ref.info().mapFlags() & BPF_F_SEGV_ON_FAULT) != 0) {
            // A read of a page no program allocated would kill the JVM with SIGSEGV.
            throw new LoadException("arena " + what(), "has flag BPF_F_SEGV_ON_FAULT: user-space reads"
                    + " of pages no program allocated end the process with SIGSEGV, so bpfkit hands out no view"
                    + " of its memory");
        }
        if (ref.spec() != null) {
            for (GlobalVariable v : ref.spec().variables()) {
                globals.put(v.name(), v);
            }
        }
        if (loaded != null) {
            this.own = null;
            this.segment = loaded;
        } else {
            this.own = Arena.ofShared();
            try {
                this.segment = map(ref, own);
            } catch (RuntimeException e) {
                own.close();
                throw e;
            }
        }
    }

    private static MemorySegment map(MapRef ref, Arena arena) {
        long address = ref.info().mapExtra();
        long length = Integer.toUnsignedLong(ref.maxEntries()) * Syscalls.pageSize();
        String what = "mmap of arena '" + ref.name() + "'" + (address != 0 ? " at 0x" + Long.toHexString(address) : "");
        try {
            MemorySegment m = Syscalls.mmap(MemorySegment.ofAddress(address), length,
                    Syscalls.PROT_READ | Syscalls.PROT_WRITE,
                    Syscalls.MAP_SHARED | (address != 0 ? Syscalls.MAP_FIXED_NOREPLACE : 0), ref.fd().get(), 0, arena,
                    what);
            if (address != 0 && m.address() != address) {
                throw new UnsupportedFeatureException("MAP_FIXED_NOREPLACE", what + ": mapped at 0x"
                        + Long.toHexString(m.address()) + " instead, so the kernel ignored the flag (Linux 4.17 has it)");
            }
            return m;
        } catch (KernelException e) {
            String hint = switch (e.errno()) {
                case Errno.EEXIST -> "the arena's address range is in use in this process already (the JVM's heap,"
                        + " a library, or this arena through a loaded object: use BpfMaps.arena(loaded, name))";
                case Errno.EINVAL, Errno.EBUSY -> "the arena is mapped at another address already (a process mapped"
                        + " it first, or its loaded object did: use BpfMaps.arena(loaded, name)); it was created"
                        + " without map_extra, so its address cannot be known here";
                default -> null;
            };
            throw hint == null ? e : new KernelException(e.operation(), e.errno(), e.errnoName(), hint);
        }
    }

    @Override
    public MemorySegment segment() {
        checkOpen();
        return segment;
    }

    @Override
    public long address() {
        checkOpen();
        return segment.address();
    }

    @Override
    public List<String> globals() {
        return List.copyOf(globals.keySet());
    }

    @Override
    public MemorySegment global(String name) {
        GlobalVariable v = find(name);
        return segment.asSlice(v.offset(), v.size());
    }

    @Override
    public MemorySegment at(long address, long size) {
        checkOpen();
        long offset = address - segment.address();
        if (size < 0 || offset < 0 || offset > segment.byteSize() || size > segment.byteSize() - offset) {
            throw new IllegalArgumentException(size + " bytes at 0x" + Long.toHexString(address) + " are not inside arena "
                    + what() + " (0x" + Long.toHexString(segment.address()) + " to 0x"
                    + Long.toHexString(segment.address() + segment.byteSize()) + ")");
        }
        return segment.asSlice(offset, size);
    }

    private GlobalVariable find(String name) {
        checkOpen();
        GlobalVariable v = globals.get(name);
        if (v == null) {
            throw new LoadException("arena " + what(), "has no __arena global '" + name + "'; it has "
                    + (globals.isEmpty() ? "none known (the object's spec is not at hand for a pinned arena)"
                    : globals.keySet()));
        }
        return v;
    }

    private long at(String name, long size) {
        GlobalVariable v = find(name);
        if (v.size() != size) {
            throw new LoadException("__arena global '" + name + "'", "is " + v.size() + " bytes (" + v.type()
                    + "), not " + size);
        }
        return v.offset();
    }

    @Override
    public int getInt(String name) {
        return segment.get(ValueLayout.JAVA_INT_UNALIGNED, at(name, 4));
    }

    @Override
    public long getLong(String name) {
        return segment.get(ValueLayout.JAVA_LONG_UNALIGNED, at(name, 8));
    }

    @Override
    public void setInt(String name, int value) {
        segment.set(ValueLayout.JAVA_INT_UNALIGNED, at(name, 4), value);
    }

    @Override
    public void setLong(String name, long value) {
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, at(name, 8), value);
    }

    @Override
    public <T> T get(String name, Codec<T> codec) {
        return codec.decode(segment, at(name, codec.size()));
    }

    @Override
    public <T> void set(String name, Codec<T> codec, T value) {
        codec.encode(value, segment, at(name, codec.size()));
    }

    @Override
    void releaseResources() {
        if (own != null) {
            own.close();
        }
    }
}
