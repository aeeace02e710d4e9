package io.bpfkit.map;

import io.bpfkit.api.LoadException;
import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.map.BpfArena;
import io.bpfkit.api.map.BpfArray;
import io.bpfkit.api.map.BpfArrayOfMaps;
import io.bpfkit.api.map.BpfBloomFilter;
import io.bpfkit.api.map.BpfCpuMap;
import io.bpfkit.api.map.BpfDevMap;
import io.bpfkit.api.map.BpfGlobals;
import io.bpfkit.api.map.BpfHashMap;
import io.bpfkit.api.map.BpfHashOfMaps;
import io.bpfkit.api.map.BpfLocalStorage;
import io.bpfkit.api.map.BpfLpmTrie;
import io.bpfkit.api.map.BpfLruHashMap;
import io.bpfkit.api.map.BpfLruPerCpuHashMap;
import io.bpfkit.api.map.BpfMap;
import io.bpfkit.api.map.BpfMapOfMaps;
import io.bpfkit.api.map.BpfPerCpuArray;
import io.bpfkit.api.map.BpfPerCpuHashMap;
import io.bpfkit.api.map.BpfPerfEventArrayMap;
import io.bpfkit.api.map.BpfProgramArray;
import io.bpfkit.api.map.BpfQueue;
import io.bpfkit.api.map.BpfRingBuffer;
import io.bpfkit.api.map.BpfRingBufferMap;
import io.bpfkit.api.map.BpfSockHash;
import io.bpfkit.api.map.BpfSockMap;
import io.bpfkit.api.map.BpfStack;
import io.bpfkit.api.map.BpfStackTraceMap;
import io.bpfkit.api.map.BpfUserRingBuffer;
import io.bpfkit.api.map.BpfXskMap;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Cpus;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Typed handles on maps: from a loaded object by name, or from a {@link MapRef} (a pinned map,
 * a map by id, an inner map). Each factory checks the map's type, that the codecs' sizes are
 * the map's key and value sizes, and, where the object has BTF, that the codecs fit the BTF
 * types as a binding's declarations must: a record's members (names, offsets, sizes, the
 * signedness {@code @Unsigned} gives), {@code Codecs.uintN()} only on unsigned integers
 * ({@code Codecs.intN()} carry either); a mismatch is a {@link LoadException} naming both
 * sides, as a generated binding throws for the same mismatch.
 *
 * <p>Every factory throws {@link LoadException} when the object or map does not fit what is
 * asked: no map of that name, a map of another type, a codec of another size or C type than
 * the map's key or value, a ring too small for a record; and {@link io.bpfkit.api.KernelException}
 * when the kernel refuses a call made to set the handle up (e.g. mapping a map into memory).
 *
 * <pre>{@code
 * try (LoadedObject obj = BpfLoader.load(spec)) {
 *     BpfHashMap<Integer, Stats> stats = BpfMaps.hash(obj, "stats", Codecs.int32(), RecordCodec.of(Stats.class));
 *     BpfPerCpuArray<Long> hits = BpfMaps.perCpuArray(obj, "hits", Codecs.int64());
 *     BpfGlobals bss = BpfMaps.globals(obj, ".bss");
 *     long total = hits.get(0).sum(x -> x);
 * }
 * }</pre>
 */
public final class BpfMaps {
    private BpfMaps() {
    }

    // ---- key-value maps -------------------------------------------------------------------

    public static <K, V> BpfHashMap<K, V> hash(LoadedObject obj, String name, Codec<K> keys, Codec<V> values) {
        return hash(MapRef.of(obj, name), keys, values);
    }

    public static <K, V> BpfHashMap<K, V> hash(MapRef ref, Codec<K> keys, Codec<V> values) {
        return checked(ref, () -> new HashHandle<>(ref, keys, values), keys, values, true);
    }

    public static <K, V> BpfLruHashMap<K, V> lruHash(LoadedObject obj, String name, Codec<K> keys, Codec<V> values) {
        return lruHash(MapRef.of(obj, name), keys, values);
    }

    public static <K, V> BpfLruHashMap<K, V> lruHash(MapRef ref, Codec<K> keys, Codec<V> values) {
        return checked(ref, () -> new HashHandle.Lru<>(ref, keys, values), keys, values, true);
    }

    /** An array map; mapped into memory when the map is mmap-able. */
    public static <V> BpfArray<V> array(LoadedObject obj, String name, Codec<V> values) {
        return array(MapRef.of(obj, name), values);
    }

    public static <V> BpfArray<V> array(MapRef ref, Codec<V> values) {
        return checked(ref, () -> new ArrayHandle<>(ref, values), null, values, true);
    }

    public static <K, V> BpfPerCpuHashMap<K, V> perCpuHash(LoadedObject obj, String name, Codec<K> keys,
            Codec<V> values) {
        return perCpuHash(MapRef.of(obj, name), keys, values);
    }

    public static <K, V> BpfPerCpuHashMap<K, V> perCpuHash(MapRef ref, Codec<K> keys, Codec<V> values) {
        return checked(ref, () -> new PerCpuHashHandle<>(ref, MapType.PERCPU_HASH, keys, perCpu(values)), keys,
                values, true);
    }

    public static <K, V> BpfLruPerCpuHashMap<K, V> lruPerCpuHash(LoadedObject obj, String name, Codec<K> keys,
            Codec<V> values) {
        return lruPerCpuHash(MapRef.of(obj, name), keys, values);
    }

    public static <K, V> BpfLruPerCpuHashMap<K, V> lruPerCpuHash(MapRef ref, Codec<K> keys, Codec<V> values) {
        return checked(ref, () -> new PerCpuHashHandle.Lru<>(ref, keys, perCpu(values)), keys, values, true);
    }

    public static <V> BpfPerCpuArray<V> perCpuArray(LoadedObject obj, String name, Codec<V> values) {
        return perCpuArray(MapRef.of(obj, name), values);
    }

    public static <V> BpfPerCpuArray<V> perCpuArray(MapRef ref, Codec<V> values) {
        return checked(ref, () -> new PerCpuArrayHandle<>(ref, perCpu(values)), null, values, true);
    }

    /**
     * An LPM trie whose keys are {@code struct { __u32 prefixlen; data }}; {@code data} is the
     * address part, e.g. {@code Codecs.bytes(4)} for IPv4.
     */
    public static <K, V> BpfLpmTrie<K, V> lpmTrie(LoadedObject obj, String name, Codec<K> data, Codec<V> values) {
        return lpmTrie(MapRef.of(obj, name), data, values);
    }

    public static <K, V> BpfLpmTrie<K, V> lpmTrie(MapRef ref, Codec<K> data, Codec<V> values) {
        LpmKeyCodec<K> keys = new LpmKeyCodec<>(data);
        // The key struct's member names are the program's own choice: compare sizes only.
        return checked(ref, () -> new LpmTrieHandle<>(ref, keys, values), keys, values, false);
    }

    // ---- maps without keys ----------------------------------------------------------------

    public static <V> BpfQueue<V> queue(LoadedObject obj, String name, Codec<V> values) {
        return queue(MapRef.of(obj, name), values);
    }

    public static <V> BpfQueue<V> queue(MapRef ref, Codec<V> values) {
        return checked(ref, () -> new PushPopHandle.Queue<>(ref, values), null, values, true);
    }

    public static <V> BpfStack<V> stack(LoadedObject obj, String name, Codec<V> values) {
        return stack(MapRef.of(obj, name), values);
    }

    public static <V> BpfStack<V> stack(MapRef ref, Codec<V> values) {
        return checked(ref, () -> new PushPopHandle.Stack<>(ref, values), null, values, true);
    }

    public static <V> BpfBloomFilter<V> bloomFilter(LoadedObject obj, String name, Codec<V> values) {
        return bloomFilter(MapRef.of(obj, name), values);
    }

    public static <V> BpfBloomFilter<V> bloomFilter(MapRef ref, Codec<V> values) {
        return checked(ref, () -> new BloomFilterHandle<>(ref, values), null, values, true);
    }

    // ---- maps of kernel objects -----------------------------------------------------------

    public static BpfProgramArray programArray(LoadedObject obj, String name) {
        return programArray(MapRef.of(obj, name));
    }

    public static BpfProgramArray programArray(MapRef ref) {
        return checked(ref, () -> new ProgramArrayHandle(ref), null, null, false);
    }

    /**
     * A hash of maps; {@code inner} makes the handle for an inner map, e.g.
     * {@code ref -> BpfMaps.array(ref, Codecs.int64())}.
     */
    public static <K, M extends BpfMap> BpfHashOfMaps<K, M> hashOfMaps(LoadedObject obj, String name, Codec<K> keys,
            Function<MapRef, M> inner) {
        return hashOfMaps(MapRef.of(obj, name), keys, inner);
    }

    public static <K, M extends BpfMap> BpfHashOfMaps<K, M> hashOfMaps(MapRef ref, Codec<K> keys,
            Function<MapRef, M> inner) {
        return checked(ref, () -> new MapOfMapsHandle.Hash<>(ref, keys, inner), null, null, false);
    }

    public static <M extends BpfMap> BpfArrayOfMaps<M> arrayOfMaps(LoadedObject obj, String name,
            Function<MapRef, M> inner) {
        return arrayOfMaps(MapRef.of(obj, name), inner);
    }

    public static <M extends BpfMap> BpfArrayOfMaps<M> arrayOfMaps(MapRef ref, Function<MapRef, M> inner) {
        return checked(ref, () -> new MapOfMapsHandle.Array<>(ref, inner), null, null, false);
    }

    /**
     * A hash or an array of maps, whichever the map is, keyed by {@code keys} (for an array of
     * maps, a 4-byte index).
     */
    public static <K, M extends BpfMap> BpfMapOfMaps<K, M> mapOfMaps(LoadedObject obj, String name, Codec<K> keys,
            Function<MapRef, M> inner) {
        return mapOfMaps(MapRef.of(obj, name), keys, inner);
    }

    public static <K, M extends BpfMap> BpfMapOfMaps<K, M> mapOfMaps(MapRef ref, Codec<K> keys,
            Function<MapRef, M> inner) {
        return checked(ref, () -> new MapOfMapsHandle.Either<>(ref, keys, inner), null, null, false);
    }

    // ---- stack traces, sockets, XDP targets, local storage --------------------------------

    /**
     * The stack trace map {@code name}: the stacks {@code bpf_get_stackid} stored, by stack id.
     *
     * @throws LoadException when the object has no such map or it is no stack trace map
     */
    public static BpfStackTraceMap stackTrace(LoadedObject obj, String name) {
        return stackTrace(MapRef.of(obj, name));
    }

    public static BpfStackTraceMap stackTrace(MapRef ref) {
        return checked(ref, () -> new StackTraceHandle(ref), null, null, false);
    }

    /** The sockmap {@code name}: sockets by slot, for sk_msg and sk_skb programs. */
    public static BpfSockMap sockMap(LoadedObject obj, String name) {
        return sockMap(MapRef.of(obj, name));
    }

    public static BpfSockMap sockMap(MapRef ref) {
        return checked(ref, () -> new SockMapHandle.Array(ref), null, null, false);
    }

    /** The sockhash {@code name}: sockets by a key {@code keys} encodes. */
    public static <K> BpfSockHash<K> sockHash(LoadedObject obj, String name, Codec<K> keys) {
        return sockHash(MapRef.of(obj, name), keys);
    }

    public static <K> BpfSockHash<K> sockHash(MapRef ref, Codec<K> keys) {
        return checked(ref, () -> new SockMapHandle.Hash<>(ref, keys), keys, null, true);
    }

    /** The devmap or devmap_hash {@code name}: devices XDP programs redirect to. */
    public static BpfDevMap devMap(LoadedObject obj, String name) {
        return devMap(MapRef.of(obj, name));
    }

    public static BpfDevMap devMap(MapRef ref) {
        return checked(ref, () -> new XdpTargetHandle.Dev(ref), null, null, false);
    }

    /** The cpumap {@code name}: CPUs XDP programs redirect to. */
    public static BpfCpuMap cpuMap(LoadedObject obj, String name) {
        return cpuMap(MapRef.of(obj, name));
    }

    public static BpfCpuMap cpuMap(MapRef ref) {
        return checked(ref, () -> new XdpTargetHandle.Cpu(ref), null, null, false);
    }

    /** The xskmap {@code name}: AF_XDP sockets XDP programs redirect to. */
    public static BpfXskMap xskMap(LoadedObject obj, String name) {
        return xskMap(MapRef.of(obj, name));
    }

    public static BpfXskMap xskMap(MapRef ref) {
        return checked(ref, () -> new XdpTargetHandle.Xsk(ref), null, null, false);
    }

    /**
     * The task, socket, inode or cgroup local storage map {@code name}, its values {@code values}
     * decodes, keyed from Java by the owning object's descriptor.
     */
    public static <V> BpfLocalStorage<V> localStorage(LoadedObject obj, String name, Codec<V> values) {
        return localStorage(MapRef.of(obj, name), values);
    }

    public static <V> BpfLocalStorage<V> localStorage(MapRef ref, Codec<V> values) {
        return checked(ref, () -> new LocalStorageHandle<>(ref, values), null, values, true);
    }

    // ---- event maps and global data -------------------------------------------------------

    public static BpfRingBufferMap ringBuffer(LoadedObject obj, String name) {
        return ringBuffer(MapRef.of(obj, name));
    }

    public static BpfRingBufferMap ringBuffer(MapRef ref) {
        return checked(ref, () -> new EventMapHandle.RingBuffer(ref), null, null, false);
    }

    /** A ring buffer whose records {@code records} decodes, for {@code RingBufferReader}. */
    public static <R> BpfRingBuffer<R> ringBuffer(LoadedObject obj, String name, Codec<R> records) {
        return ringBuffer(MapRef.of(obj, name), records);
    }

    public static <R> BpfRingBuffer<R> ringBuffer(MapRef ref, Codec<R> records) {
        return checked(ref, () -> new EventMapHandle.Records<>(ref, records), null, null, false);
    }

    /**
     * The producer side of a user ring buffer ({@code BPF_MAP_TYPE_USER_RINGBUF}), its samples
     * {@code records} encodes; the handle maps the ring and unmaps it on close.
     *
     * @throws LoadException when the object has no such map, it is no user ring buffer, a record
     *     does not fit the ring, or its descriptor is read-only
     */
    public static <R> BpfUserRingBuffer<R> userRingBuffer(LoadedObject obj, String name, Codec<R> records) {
        return userRingBuffer(MapRef.of(obj, name), records);
    }

    public static <R> BpfUserRingBuffer<R> userRingBuffer(MapRef ref, Codec<R> records) {
        return checked(ref, () -> new UserRingBufferHandle<>(ref, records), null, null, false);
    }

    public static BpfPerfEventArrayMap perfEventArray(LoadedObject obj, String name) {
        return perfEventArray(MapRef.of(obj, name));
    }

    public static BpfPerfEventArrayMap perfEventArray(MapRef ref) {
        return checked(ref, () -> new EventMapHandle.PerfEventArray(ref), null, null, false);
    }

    /**
     * The variables of global data section {@code section} ({@code .bss}, {@code .data},
     * {@code .rodata}, {@code .data.NAME}, ...), mapped into memory.
     *
     * @throws LoadException when the object has no such section, or its map cannot be mapped
     *     (created without {@code BPF_F_MMAPABLE}, or open read-only)
     */
    public static BpfGlobals globals(LoadedObject obj, String section) {
        String map = obj.maps().values().stream()
                .filter(m -> m.spec().isGlobalData() && m.spec().section().equals(section))
                .map(io.bpfkit.load.LoadedMap::name).findFirst()
                .orElseThrow(() -> new LoadException("section " + section, "object '" + obj.spec().name()
                        + "' has no such global data section; it has " + obj.maps().values().stream()
                        .filter(m -> m.spec().isGlobalData()).map(m -> m.spec().section()).toList()));
        MapRef ref = MapRef.of(obj, map);
        return checked(ref, () -> new GlobalsHandle(ref), null, null, false);
    }

    // ---- arenas ---------------------------------------------------------------------------

    /**
     * Arena map {@code name} of a loaded object: its memory as the load mapped it (with the
     * object's {@code __arena} globals at its start), valid until the object closes.
     *
     * <pre>{@code
     * BpfArena arena = BpfMaps.arena(loaded, "arena");
     * long counter = arena.getLong("counter");
     * }</pre>
     *
     * @throws LoadException when the object has no such map, it is no arena, or it has
     *     {@code BPF_F_SEGV_ON_FAULT} (a read of an unallocated page would end the process)
     */
    public static BpfArena arena(LoadedObject obj, String name) {
        MapRef ref = MapRef.of(obj, name);
        java.lang.foreign.MemorySegment loaded = obj.map(name).flatMap(io.bpfkit.load.LoadedMap::arenaMemory)
                .orElse(null);
        return checked(ref, () -> new ArenaHandle(ref, loaded), null, null, false);
    }

    /**
     * An arena map from a pin or an id, mapped by the handle (at the address it was created
     * for, when it names one) and unmapped when the handle closes.
     */
    public static BpfArena arena(MapRef ref) {
        return checked(ref, () -> new ArenaHandle(ref, null), null, null, false);
    }

    // ---- pinned maps ----------------------------------------------------------------------

    /**
     * Opens the map pinned at {@code path}; the handle made on it owns its descriptor, e.g.
     * {@code BpfMaps.hash(BpfMaps.openPinned("/sys/fs/bpf/counts"), Codecs.int32(), Codecs.int64())}.
     */
    public static MapRef openPinned(String path) {
        return MapRef.pinned(path);
    }

    // ---- checks ---------------------------------------------------------------------------

    private static <V> PerCpuCodec<V> perCpu(Codec<V> values) {
        return new PerCpuCodec<>(values, Cpus.possibleCount());
    }

    /**
     * Checks the codecs against the map, then makes the handle; an owned descriptor is closed
     * when either fails, so a refused handle leaks nothing.
     */
    private static <H> H checked(MapRef ref, Supplier<H> make, Codec<?> keys, Codec<?> values,
            boolean compareMembers) {
        try {
            String what = "map '" + ref.name() + "'";
            boolean withBtf = ref.btf() != null && (ref.spec() == null || !ref.spec().isGlobalData());
            if (keys != null) {
                LayoutCheck.check(what, "key", keys, ref.keySize(), withBtf ? ref.btf() : null,
                        withBtf ? ref.keyTypeId() : 0, compareMembers);
            }
            if (values != null) {
                LayoutCheck.check(what, "value", values, ref.valueSize(), withBtf ? ref.btf() : null,
                        withBtf ? ref.valueTypeId() : 0, compareMembers);
            }
            return make.get();
        } catch (RuntimeException e) {
            if (ref.owned()) {
                ref.fd().close();
            }
            throw e;
        }
    }
}
