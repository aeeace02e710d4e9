package io.bpfkit.check;

import io.bpfkit.object.MapType;
import java.util.EnumSet;
import java.util.Set;

/**
 * The typed map handles a binding method can return, with the map types each fits and which
 * of key and value it has a Java type for.
 */
public enum HandleKind {
    HASH("BpfHashMap", true, true, MapType.HASH),
    LRU_HASH("BpfLruHashMap", true, true, MapType.LRU_HASH),
    PERCPU_HASH("BpfPerCpuHashMap", true, true, MapType.PERCPU_HASH),
    LRU_PERCPU_HASH("BpfLruPerCpuHashMap", true, true, MapType.LRU_PERCPU_HASH),
    ARRAY("BpfArray", false, true, MapType.ARRAY),
    PERCPU_ARRAY("BpfPerCpuArray", false, true, MapType.PERCPU_ARRAY),
    LPM_TRIE("BpfLpmTrie", true, true, MapType.LPM_TRIE),
    QUEUE("BpfQueue", false, true, MapType.QUEUE),
    STACK("BpfStack", false, true, MapType.STACK),
    BLOOM_FILTER("BpfBloomFilter", false, true, MapType.BLOOM_FILTER),
    PROG_ARRAY("BpfProgramArray", false, false, MapType.PROG_ARRAY),
    /** The handle's type argument is the inner maps' handle: no value type. */
    HASH_OF_MAPS("BpfHashOfMaps", true, false, MapType.HASH_OF_MAPS),
    ARRAY_OF_MAPS("BpfArrayOfMaps", false, false, MapType.ARRAY_OF_MAPS),
    /** Either kind of map-of-maps, its key the hash's key or the array's {@code int} index. */
    MAP_OF_MAPS("BpfMapOfMaps", true, false, MapType.HASH_OF_MAPS, MapType.ARRAY_OF_MAPS),
    RINGBUF("BpfRingBufferMap", false, false, MapType.RINGBUF),
    /** A ring buffer whose records are the value type (the map itself has no value size). */
    RINGBUF_RECORDS("BpfRingBuffer", false, true, MapType.RINGBUF),
    /** A user ring buffer written from Java, its samples the value type (the map has no value size). */
    USER_RINGBUF_RECORDS("BpfUserRingBuffer", false, true, MapType.USER_RINGBUF),
    PERF_EVENT_ARRAY("BpfPerfEventArrayMap", false, false, MapType.PERF_EVENT_ARRAY),
    /** Stacks by id: the handle reads instruction pointers or build ids, whichever the map holds. */
    STACK_TRACE("BpfStackTraceMap", false, false, MapType.STACK_TRACE),
    SOCKMAP("BpfSockMap", false, false, MapType.SOCKMAP),
    /** Sockets under a key of the program's; the values are socket descriptors or cookies. */
    SOCKHASH("BpfSockHash", true, false, MapType.SOCKHASH),
    DEVMAP("BpfDevMap", false, false, MapType.DEVMAP, MapType.DEVMAP_HASH),
    CPUMAP("BpfCpuMap", false, false, MapType.CPUMAP),
    XSKMAP("BpfXskMap", false, false, MapType.XSKMAP),
    /** Task, socket, inode and cgroup storage: keyed from Java by the owner's descriptor, so no key type. */
    LOCAL_STORAGE("BpfLocalStorage", false, true, MapType.TASK_STORAGE, MapType.SK_STORAGE, MapType.INODE_STORAGE,
            MapType.CGRP_STORAGE),
    /** An arena's memory; its size is pages, not entries. */
    ARENA("BpfArena", false, false, MapType.ARENA),
    /** A whole global data section; the "map" a binding names is the section ({@code .bss}). */
    GLOBALS("BpfGlobals", false, false);

    private final String handle;
    private final boolean key;
    private final boolean value;
    private final Set<MapType> fits;

    HandleKind(String handle, boolean key, boolean value, MapType... fits) {
        this.handle = handle;
        this.key = key;
        this.value = value;
        this.fits = fits.length == 0 ? Set.of() : Set.copyOf(EnumSet.of(fits[0], fits));
    }

    /** The handle interface's simple name, in {@code io.bpfkit.api.map}. */
    public String handle() {
        return handle;
    }

    /** Whether the handle's key is a Java type of the user's (arrays have int indexes). */
    public boolean hasKey() {
        return key;
    }

    /** Whether the handle has a value type. */
    public boolean hasValue() {
        return value;
    }

    /** Whether the value type is a ring buffer's records, checked against the object's struct of their name. */
    public boolean hasRecords() {
        return this == RINGBUF_RECORDS || this == USER_RINGBUF_RECORDS;
    }

    /**
     * Whether a binding offers a {@code max_entries} setter for the map: local storage has
     * none (it must be 0) and a perf event array's is the CPU count.
     */
    public boolean hasMaxEntries() {
        return this != PERF_EVENT_ARRAY && this != GLOBALS && this != LOCAL_STORAGE;
    }

    /** Whether the handle's last type argument is the handle type of inner maps. */
    public boolean hasInner() {
        return this == HASH_OF_MAPS || this == ARRAY_OF_MAPS || this == MAP_OF_MAPS;
    }

    public boolean fits(MapType type) {
        return fits.contains(type);
    }

    /** The handle for maps of {@code type}, or null when no handle fits it. */
    public static HandleKind forMapType(MapType type) {
        for (HandleKind k : values()) {
            if (k.fits(type)) {
                return k;
            }
        }
        return null;
    }

    /** The kind whose handle interface is called {@code simpleName}, or null. */
    public static HandleKind forHandle(String simpleName) {
        for (HandleKind k : values()) {
            if (k.handle.equals(simpleName)) {
                return k;
            }
        }
        return null;
    }
}
