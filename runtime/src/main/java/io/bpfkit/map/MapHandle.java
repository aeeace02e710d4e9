package io.bpfkit.map;

import io.bpfkit.api.LoadException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.api.map.BpfMap;
import io.bpfkit.api.map.MapInfo;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.MapCalls;
import java.util.EnumSet;
import java.util.Set;

/**
 * What every typed handle shares: the map's descriptor (borrowed or owned), info, freeze, pin,
 * close, and the checks done when a handle is made.
 */
abstract class MapHandle implements BpfMap {
    final MapRef ref;
    final OwnedFd fd;
    /** The one path for element calls; its errors name this map. */
    final MapCalls calls;
    private volatile boolean closed;

    MapHandle(MapRef ref, Set<MapType> types) {
        this.ref = ref;
        this.fd = ref.fd();
        this.calls = ref.calls();
        MapType t = ref.type();
        if (t == null || !types.contains(t)) {
            throw new LoadException("map '" + ref.name() + "'", "has type "
                    + (t == null ? Integer.toString(ref.info().type()) : t.libbpfName()) + ", not "
                    + String.join(" or ", types.stream().map(MapType::libbpfName).toList()) + ": "
                    + (t == null ? "bpfkit has no handle for it" : "use " + suggest(t)));
        }
    }

    static Set<MapType> types(MapType first, MapType... rest) {
        return EnumSet.of(first, rest);
    }

    /** The factory that makes a handle for {@code t}. */
    private static String suggest(MapType t) {
        return switch (t) {
            case HASH -> "BpfMaps.hash";
            case LRU_HASH -> "BpfMaps.lruHash";
            case ARRAY -> "BpfMaps.array";
            case PERCPU_HASH -> "BpfMaps.perCpuHash";
            case LRU_PERCPU_HASH -> "BpfMaps.lruPerCpuHash";
            case PERCPU_ARRAY -> "BpfMaps.perCpuArray";
            case LPM_TRIE -> "BpfMaps.lpmTrie";
            case QUEUE -> "BpfMaps.queue";
            case STACK -> "BpfMaps.stack";
            case BLOOM_FILTER -> "BpfMaps.bloomFilter";
            case PROG_ARRAY -> "BpfMaps.programArray";
            case HASH_OF_MAPS -> "BpfMaps.hashOfMaps";
            case ARRAY_OF_MAPS -> "BpfMaps.arrayOfMaps";
            case RINGBUF -> "BpfMaps.ringBuffer";
            case USER_RINGBUF -> "BpfMaps.userRingBuffer";
            case PERF_EVENT_ARRAY -> "BpfMaps.perfEventArray";
            case ARENA -> "BpfMaps.arena";
            case STACK_TRACE -> "BpfMaps.stackTrace";
            case SOCKMAP -> "BpfMaps.sockMap";
            case SOCKHASH -> "BpfMaps.sockHash";
            case DEVMAP, DEVMAP_HASH -> "BpfMaps.devMap";
            case CPUMAP -> "BpfMaps.cpuMap";
            case XSKMAP -> "BpfMaps.xskMap";
            case TASK_STORAGE, SK_STORAGE, INODE_STORAGE, CGRP_STORAGE -> "BpfMaps.localStorage";
            default -> "MapRef and the sys layer (no typed handle for " + t.libbpfName() + " yet)";
        };
    }

    /** The descriptor for a system call; throws when this handle or the map's owner is closed. */
    final int fdNumber() {
        checkOpen();
        return fd.get();
    }

    /**
     * Throws when this handle is closed; for memory accesses through a mapping, which stays
     * valid while the handle is open even after the map's owner closed its descriptor.
     */
    final void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the handle on map '" + name() + "' is closed");
        }
    }

    final String what() {
        return "map '" + name() + "'";
    }

    @Override
    public String name() {
        return ref.name();
    }

    @Override
    public int fileDescriptor() {
        return fdNumber();
    }

    @Override
    public MapInfo info() {
        fdNumber();
        io.bpfkit.uapi.MapInfo i = Bpf.mapInfo(fd);
        MapType t = MapType.of(i.type());
        return new MapInfo(i.id(), i.name(), i.type(), t == null ? "type " + i.type() : t.libbpfName(), i.keySize(),
                i.valueSize(), i.maxEntries(), i.mapFlags());
    }

    @Override
    public void freeze() {
        fdNumber();
        calls.freeze();
    }

    @Override
    public void pin(String path) {
        fdNumber();
        Bpf.objPin(fd, path);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        releaseResources();
        if (ref.owned()) {
            fd.close();
        }
    }

    /** Frees what a subclass holds besides the descriptor (a mapping); called once. */
    void releaseResources() {
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name() + ", " + fd + "]";
    }
}
