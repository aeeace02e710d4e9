package io.bpfkit.map;

import io.bpfkit.api.LoadException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.btf.Btf;
import io.bpfkit.load.LoadedMap;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.object.MapSpec;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.sys.MapSyscalls;
import io.bpfkit.uapi.MapInfo;
import java.util.Objects;

/**
 * A map to make a typed handle on: its descriptor, whether the handle will own it, what the
 * kernel says about it, and where known its spec and the object's BTF (for validation and
 * global variables).
 *
 * <pre>{@code
 * MapRef counts = MapRef.of(loaded, "counts");
 * MapRef pinned = MapRef.pinned("/sys/fs/bpf/counts");   // owned: the handle closes it
 * }</pre>
 */
public final class MapRef {
    private final OwnedFd fd;
    private final boolean owned;
    private final MapInfo info;
    private final MapSpec spec;
    private final Btf btf;

    private final int keyTypeId;
    private final int valueTypeId;
    private final MapSyscalls syscalls;

    private MapRef(OwnedFd fd, boolean owned, MapSpec spec, Btf btf) {
        this.fd = Objects.requireNonNull(fd, "fd");
        this.owned = owned;
        this.info = Bpf.mapInfo(fd);
        this.spec = spec;
        this.syscalls = MapSyscalls.kernel();
        if (spec != null || btf != null) {
            this.btf = btf;
            this.keyTypeId = spec == null ? 0 : spec.keyTypeId();
            this.valueTypeId = spec == null ? 0 : spec.valueTypeId();
        } else { // a map from a pin or an id: its BTF, if it was created with some, is in the kernel
            this.btf = kernelBtf(info.btfId());
            this.keyTypeId = this.btf == null ? 0 : info.btfKeyTypeId();
            this.valueTypeId = this.btf == null ? 0 : info.btfValueTypeId();
        }
    }

    /**
     * A map the kernel is not asked about: {@code info} says what it is, and the handle made on
     * it makes its element calls through {@code syscalls} (a fake, in unit tests). Not owned.
     */
    MapRef(Fd fd, MapInfo info, MapSyscalls syscalls) {
        this.fd = Objects.requireNonNull(fd, "fd");
        this.owned = false;
        this.info = Objects.requireNonNull(info, "info");
        this.spec = null;
        this.btf = null;
        this.keyTypeId = 0;
        this.valueTypeId = 0;
        this.syscalls = Objects.requireNonNull(syscalls, "syscalls");
    }

    /** The BTF object {@code id} as the kernel holds it, or null when there is none or it cannot be read. */
    private static Btf kernelBtf(int id) {
        if (id == 0) {
            return null;
        }
        try (OwnedFd btfFd = Bpf.btfGetFdById(id)) {
            return Btf.parse(java.lang.foreign.MemorySegment.ofArray(Bpf.btfData(btfFd)));
        } catch (RuntimeException e) {
            return null; // no BTF to check against: sizes are still checked
        }
    }

    /**
     * The map {@code name} of a loaded object (for global data, the section name such as
     * {@code .bss}); the object keeps owning its descriptor.
     *
     * @throws LoadException when the object has no such map
     */
    public static MapRef of(LoadedObject object, String name) {
        LoadedMap m = object.map(name).orElseThrow(() -> new LoadException("map '" + name + "'", "object '"
                + object.spec().name() + "' has no such map; it has " + object.maps().keySet()));
        return new MapRef(m.fd(), false, m.spec(), object.spec().btf().orElse(null));
    }

    /** A loaded map without BTF (no struct validation); its object keeps owning it. */
    public static MapRef of(LoadedMap map) {
        return new MapRef(map.fd(), false, map.spec(), null);
    }

    /** Takes ownership of {@code fd}: the handle made on it closes it. */
    public static MapRef owning(OwnedFd fd) {
        try {
            return new MapRef(fd, true, null, null);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** Opens the map pinned at {@code path} ({@code BPF_OBJ_GET}); the handle owns it. */
    public static MapRef pinned(String path) {
        return owning(Bpf.objGet(path, 0, "map"));
    }

    /** Opens the map with kernel id {@code id}; the handle owns it. */
    public static MapRef byId(int id) {
        return owning(Bpf.mapGetFdById(id, 0));
    }

    public OwnedFd fd() {
        return fd;
    }

    /** Whether a handle made on this ref closes the descriptor. */
    public boolean owned() {
        return owned;
    }

    /** The kernel's description, read when the ref was made. */
    public MapInfo info() {
        return info;
    }

    /** The name: the spec's (which the kernel may have truncated), else the kernel's. */
    public String name() {
        return spec != null ? spec.name() : info.name();
    }

    /** The spec the map was created from, or null. */
    public MapSpec spec() {
        return spec;
    }

    /** The map's BTF (the object's, or for a pinned map the kernel's copy), or null. */
    public Btf btf() {
        return btf;
    }

    /** The BTF type id of the key in {@link #btf()}, 0 when unknown. */
    public int keyTypeId() {
        return keyTypeId;
    }

    /** The BTF type id of the value in {@link #btf()}, 0 when unknown (global data: the DATASEC). */
    public int valueTypeId() {
        return valueTypeId;
    }

    /** The element calls on this map, as a handle makes them (named by the handle's {@link #name()}). */
    MapCalls calls() {
        return MapCalls.of(fd, name(), maxEntries(), syscalls, info.type());
    }

    /** The map type, or null when bpfkit does not know the number. */
    public MapType type() {
        return MapType.of(info.type());
    }

    public long keySize() {
        return Integer.toUnsignedLong(info.keySize());
    }

    public long valueSize() {
        return Integer.toUnsignedLong(info.valueSize());
    }

    public int maxEntries() {
        return info.maxEntries();
    }

    @Override
    public String toString() {
        return "MapRef[" + name() + ", " + fd + (owned ? ", owned" : "") + "]";
    }
}
