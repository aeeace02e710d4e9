package io.bpfkit.load;

import io.bpfkit.api.OwnedFd;
import io.bpfkit.object.MapSpec;
import io.bpfkit.sys.Fd;

/**
 * A map in the kernel, owned by its {@link LoadedObject}: the spec it was made from, its file
 * descriptor, and whether it was reused from a pin.
 */
public final class LoadedMap {
    private final MapSpec spec;
    private final OwnedFd fd;
    private final boolean reusedPin;
    private volatile byte[] structOpsValue;
    /** An arena's memory, mapped at load; null for other maps and arenas reused from a pin. */
    private final ArenaMapping arena;

    LoadedMap(MapSpec spec, OwnedFd fd, boolean reusedPin) {
        this(spec, fd, reusedPin, null);
    }

    LoadedMap(MapSpec spec, OwnedFd fd, boolean reusedPin, ArenaMapping arena) {
        this.spec = spec;
        this.fd = fd;
        this.reusedPin = reusedPin;
        this.arena = arena;
    }

    /**
     * For an arena map the load created, its memory as the load mapped it into this process:
     * {@code max_entries} pages at the arena's user address, shared with the programs, the
     * {@code __arena} globals at its start. Valid until the object closes, then accesses throw
     * {@link IllegalStateException}. Empty for other maps and for an arena reused from a pin
     * (which the load does not map, as libbpf).
     *
     * <pre>{@code
     * MemorySegment mem = loaded.map("arena").orElseThrow().arenaMemory().orElseThrow();
     * }</pre>
     */
    public java.util.Optional<java.lang.foreign.MemorySegment> arenaMemory() {
        return arena == null ? java.util.Optional.empty() : java.util.Optional.of(arena.segment());
    }

    /** Unmaps an arena's memory; called once the object closes. */
    void unmap() {
        if (arena != null) {
            arena.close();
        }
    }

    public String name() {
        return spec.name();
    }

    /** The spec as it was when loaded (the loaded object's own copy). */
    public MapSpec spec() {
        return spec;
    }

    /** The map's file descriptor; closed with the loaded object. */
    public OwnedFd fd() {
        return fd;
    }

    /** True when an existing pinned map was reused instead of creating one. */
    public boolean reusedPin() {
        return reusedPin;
    }

    /**
     * For a struct_ops map: the value registering it hands the kernel ({@code struct
     * bpf_struct_ops_<struct>} with the data members copied and each function pointer set to its
     * program's descriptor), a copy; null for other maps. See {@code io.bpfkit.link.StructOps}.
     */
    public byte[] structOpsValue() {
        byte[] v = structOpsValue;
        return v == null ? null : v.clone();
    }

    void structOpsValue(byte[] value) {
        this.structOpsValue = value;
    }

    @Override
    public String toString() {
        return "LoadedMap[" + name() + ", " + fd + (reusedPin ? ", reused pin" : "") + "]";
    }
}
