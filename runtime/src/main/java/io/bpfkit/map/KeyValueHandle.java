package io.bpfkit.map;

import static io.bpfkit.uapi.BpfCmd.BPF_MAP_LOOKUP_BATCH;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfKeyValueMap;
import io.bpfkit.api.map.UpdateFlag;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.AbstractMap;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The key-value operations of every keyed map type, over two codecs: single calls through
 * per-thread scratch memory, and batch calls (with single-call fallback) for iteration,
 * {@code forEach}, {@code putAll}, {@code deleteAll} and {@code clear}. Per-CPU maps are this
 * with a {@link PerCpuCodec} as the value codec.
 */
class KeyValueHandle<K, V> extends MapHandle implements BpfKeyValueMap<K, V> {
    /** Elements per batch call while iterating lazily. */
    static final int ITERATION_CHUNK = 256;
    /** Elements per batch call for forEach, snapshot and clear. */
    static final int BULK_CHUNK = 8192;

    final Codec<K> keys;
    final Codec<V> values;
    final long keySize;
    final long valueSize;
    final ScratchPool scratch;
    /** Whether the codecs get the scratch memory by address (see {@link #ownCodec}). */
    private final boolean rawKeys;
    private final boolean rawValues;
    /** 0: not tried yet, 1: the kernel has the batch commands for this map, -1: it has not. */
    private volatile int batchSupport;

    KeyValueHandle(MapRef ref, Set<MapType> types, Codec<K> keys, Codec<V> values) {
        super(ref, types);
        this.keys = keys;
        this.values = values;
        this.keySize = keys.size();
        this.valueSize = values.size();
        this.scratch = new ScratchPool(keySize, valueSize);
        this.rawKeys = ownCodec(keys);
        this.rawValues = ownCodec(values);
    }

    /**
     * Whether {@code codec} is one of bpfkit's own ({@link Codecs}: nested in it, which no other
     * code can be), which read and write exactly their size. Those get the scratch memory at its
     * address in {@link Syscalls#UNSCOPED_MEMORY} instead of through a checked segment: the
     * checks of a segment are a third of a compiled lookup's code, and without them a lookup is
     * small enough for C2 to inline into its caller (under {@code InlineSmallCode}), where escape
     * analysis then drops the boxed value a caller unboxes (23 bytes and ~100 ns per lookup,
     * measured). Any other codec gets the checked segments.
     */
    static boolean ownCodec(Codec<?> codec) {
        return codec.getClass().getNestHost() == Codecs.class;
    }

    final void encodeKey(K key, Scratch s) {
        if (rawKeys) {
            keys.encode(key, Syscalls.UNSCOPED_MEMORY, s.keyAddress);
        } else {
            keys.encode(key, s.key, 0);
        }
    }

    final void encodeValue(V value, Scratch s) {
        if (rawValues) {
            values.encode(value, Syscalls.UNSCOPED_MEMORY, s.valueAddress);
        } else {
            values.encode(value, s.value, 0);
        }
    }

    final V decodeValue(Scratch s) {
        return rawValues ? values.decode(Syscalls.UNSCOPED_MEMORY, s.valueAddress) : values.decode(s.value, 0);
    }

    // ---- single elements ------------------------------------------------------------------

    @Override
    public V get(K key) {
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            encodeKey(key, s);
            return lookup(s, fd);
        } finally {
            scratch.release(s);
        }
    }

    /** Looks up the key already in {@code s.key}. */
    final V lookup(Scratch s, int fd) {
        return calls.lookup(s.attrAddress, s.callState, fd, s.keyAddress, s.valueAddress) ? decodeValue(s) : null;
    }

    @Override
    public boolean contains(K key) {
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            encodeKey(key, s);
            return calls.lookup(s.attrAddress, s.callState, fd, s.keyAddress, s.valueAddress);
        } finally {
            scratch.release(s);
        }
    }

    @Override
    public void put(K key, V value) {
        write(key, value, BpfFlags.BPF_ANY);
    }

    @Override
    public boolean put(K key, V value, UpdateFlag flag) {
        return write(key, value, flags(flag));
    }

    private boolean write(K key, V value, long flags) {
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            encodeKey(key, s);
            encodeValue(value, s);
            return update(s, fd, flags);
        } finally {
            scratch.release(s);
        }
    }

    /**
     * Writes the key and value already in {@code s}, with the {@code BPF_*} flags as a number:
     * the plain put reads no {@link UpdateFlag} constant (an object of its own, on a page the
     * system call has just evicted from the TLB).
     */
    final boolean update(Scratch s, int fd, long flags) {
        return calls.update(s.attrAddress, s.callState, fd, s.keyAddress, s.valueAddress, flags);
    }

    static long flags(UpdateFlag flag) {
        return switch (flag) {
            case ANY -> BpfFlags.BPF_ANY;
            case NO_EXIST -> BpfFlags.BPF_NOEXIST;
            case EXIST -> BpfFlags.BPF_EXIST;
        };
    }

    @Override
    public boolean delete(K key) {
        int fd = fdNumber();
        Scratch s = scratch.take();
        try {
            encodeKey(key, s);
            return calls.delete(s.attrAddress, s.callState, fd, s.keyAddress);
        } finally {
            scratch.release(s);
        }
    }

    /** Uses single-element calls from now on, as on a kernel without the batch commands. */
    final void forceSingleCalls() {
        batchSupport = -1;
    }

    /** Whether the kernel's batch commands serve this map (known after the first bulk call). */
    final boolean usesBatch() {
        return batchSupport > 0;
    }

    // ---- iteration ------------------------------------------------------------------------

    @Override
    public Iterable<K> keys() {
        fdNumber();
        return () -> new Iterator<>() {
            private final Cursor c = new Cursor(ITERATION_CHUNK, Arena.ofAuto());

            public boolean hasNext() {
                return c.ready();
            }

            public K next() {
                if (!c.ready()) {
                    throw new NoSuchElementException();
                }
                return keys.decode(c.keysBuf, (long) c.pos++ * keySize);
            }
        };
    }

    @Override
    public Iterable<Map.Entry<K, V>> entries() {
        fdNumber();
        return () -> new Iterator<>() {
            private final Cursor c = new Cursor(ITERATION_CHUNK, Arena.ofAuto());

            public boolean hasNext() {
                return c.ready();
            }

            public Map.Entry<K, V> next() {
                if (!c.ready()) {
                    throw new NoSuchElementException();
                }
                int i = c.pos++;
                return new AbstractMap.SimpleImmutableEntry<>(keys.decode(c.keysBuf, i * keySize),
                        values.decode(c.valuesBuf, i * valueSize));
            }
        };
    }

    @Override
    public void forEach(BiConsumer<? super K, ? super V> action) {
        fdNumber();
        try (Arena arena = Arena.ofConfined()) {
            Cursor c = new Cursor(bulkChunk(), arena);
            while (c.ready()) {
                for (int i = c.pos; i < c.count; i++) {
                    action.accept(keys.decode(c.keysBuf, i * keySize), values.decode(c.valuesBuf, i * valueSize));
                }
                c.pos = c.count;
            }
        }
    }

    @Override
    public Map<K, V> snapshot() {
        Map<K, V> m = new LinkedHashMap<>();
        forEach(m::put);
        return m;
    }

    final int bulkChunk() {
        return Math.max(1, Math.min(BULK_CHUNK, ref.maxEntries() <= 0 ? BULK_CHUNK : ref.maxEntries()));
    }

    /**
     * Reads the map chunk by chunk into packed key and value arrays: with
     * {@code BPF_MAP_LOOKUP_BATCH} where the kernel has it (it walks buckets, so deletes
     * elsewhere do not disturb it), else key by key with {@code BPF_MAP_GET_NEXT_KEY}, which
     * restarts from the first key when the previous one was deleted: keys seen before are then
     * skipped, so none comes twice.
     */
    final class Cursor {
        final Arena arena;
        MemorySegment keysBuf;
        MemorySegment valuesBuf;
        private MemorySegment inBatch;
        private MemorySegment outBatch;
        private int chunk;
        int count;
        int pos;
        private boolean started;
        private boolean ended;
        private boolean byKey;
        private Set<ByteBuffer> seen;
        private MemorySegment prevKey;
        private MemorySegment nextKey;

        Cursor(int chunk, Arena arena) {
            this.arena = arena;
            this.chunk = chunk;
            allocate();
            long token = Math.max(keySize, 8);
            inBatch = arena.allocate(token, 8);
            outBatch = arena.allocate(token, 8);
            byKey = batchSupport < 0;
        }

        private void allocate() {
            keysBuf = arena.allocate(Math.max(1, chunk * keySize), 8);
            valuesBuf = arena.allocate(Math.max(1, chunk * valueSize), 8);
        }

        /** True when an element is at {@link #pos}, reading the next chunk if needed. */
        boolean ready() {
            while (pos >= count) {
                if (ended) {
                    return false;
                }
                pos = 0;
                count = 0;
                if (byKey) {
                    fillByKey();
                } else {
                    fillByBatch();
                }
            }
            return true;
        }

        private void fillByBatch() {
            Scratch s = scratch.perThread();
            int fd = fdNumber();
            while (true) {
                int status = calls.lookupBatch(s.attr, BPF_MAP_LOOKUP_BATCH, fd, started ? inBatch.address() : 0L,
                        outBatch.address(), keysBuf.address(), valuesBuf.address(), chunk, 0L, !started);
                switch (status) {
                    case MapCalls.BATCH_NO_ROOM -> { // a hash bucket holds more than a chunk: make room
                        chunk *= 2;
                        allocate();
                    }
                    case MapCalls.BATCH_UNSUPPORTED -> {
                        batchSupport = -1;
                        byKey = true;
                        fillByKey();
                        return;
                    }
                    default -> { // BATCH_DONE or BATCH_END
                        batchSupport = 1;
                        count = MapCalls.batchCount(s.attr);
                        ended = status == MapCalls.BATCH_END;
                        started = true;
                        MemorySegment t = inBatch;
                        inBatch = outBatch;
                        outBatch = t;
                        return;
                    }
                }
            }
        }

        private void fillByKey() {
            Scratch s = scratch.perThread();
            int fd = fdNumber();
            if (seen == null) {
                seen = new HashSet<>();
                prevKey = arena.allocate(Math.max(1, keySize), 8);
                nextKey = arena.allocate(Math.max(1, keySize), 8);
            }
            while (count < chunk) {
                if (!calls.nextKey(s.attrAddress, s.callState, fd, started ? prevKey.address() : 0L,
                        nextKey.address())) {
                    ended = true;
                    return;
                }
                started = true;
                MemorySegment.copy(nextKey, 0, prevKey, 0, keySize);
                if (!seen.add(ByteBuffer.wrap(prevKey.asSlice(0, keySize).toArray(ValueLayout.JAVA_BYTE)))) {
                    continue;
                }
                long v = valuesBuf.address() + count * valueSize;
                if (!calls.lookup(s.attrAddress, s.callState, fd, prevKey.address(), v)) {
                    continue; // deleted since get-next-key returned it
                }
                MemorySegment.copy(prevKey, 0, keysBuf, count * keySize, keySize);
                count++;
            }
        }
    }

    // ---- bulk writes ----------------------------------------------------------------------

    @Override
    public int putAll(Map<? extends K, ? extends V> elements) {
        fdNumber();
        if (elements.isEmpty()) {
            return 0;
        }
        int chunk = Math.min(elements.size(), BULK_CHUNK);
        int done = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(chunk * keySize, 8);
            MemorySegment v = arena.allocate(chunk * valueSize, 8);
            int n = 0;
            for (Map.Entry<? extends K, ? extends V> e : elements.entrySet()) {
                keys.encode(e.getKey(), k, n * keySize);
                values.encode(e.getValue(), v, n * valueSize);
                if (++n == chunk) {
                    done += updateRaw(k, v, n);
                    n = 0;
                }
            }
            if (n > 0) {
                done += updateRaw(k, v, n);
            }
        }
        return done;
    }

    /** Writes {@code n} packed keys and values: one batch call, or single calls without it. */
    final int updateRaw(MemorySegment k, MemorySegment v, int n) {
        Scratch s = scratch.perThread();
        int fd = fdNumber();
        if (batchSupport >= 0) {
            if (calls.updateBatch(s.attr, fd, k.address(), v.address(), n, 0L, batchSupport == 0)
                    == MapCalls.BATCH_DONE) {
                return MapCalls.batchCount(s.attr);
            }
            batchSupport = -1;
        }
        for (int i = 0; i < n; i++) {
            calls.update(s.attrAddress, s.callState, fd, k.address() + i * keySize, v.address() + i * valueSize,
                    BpfFlags.BPF_ANY);
        }
        return n;
    }

    @Override
    public int deleteAll(Collection<? extends K> toDelete) {
        fdNumber();
        if (toDelete.isEmpty()) {
            return 0;
        }
        int chunk = Math.min(toDelete.size(), BULK_CHUNK);
        int done = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(chunk * keySize, 8);
            int n = 0;
            for (K key : toDelete) {
                keys.encode(key, k, n * keySize);
                if (++n == chunk) {
                    done += deleteRaw(k, n);
                    n = 0;
                }
            }
            if (n > 0) {
                done += deleteRaw(k, n);
            }
        }
        return done;
    }

    /**
     * Deletes {@code n} packed keys; returns how many existed. The batch command stops at the
     * first missing key, which is skipped before going on.
     */
    final int deleteRaw(MemorySegment k, int n) {
        Scratch s = scratch.perThread();
        int fd = fdNumber();
        int deleted = 0;
        int i = 0;
        while (i < n && batchSupport >= 0) {
            int status = calls.deleteBatch(s.attr, fd, k.address() + i * keySize, n - i, 0L, batchSupport == 0);
            int c = MapCalls.batchCount(s.attr);
            if (status == MapCalls.BATCH_DONE) {
                return deleted + c;
            }
            if (status == MapCalls.BATCH_ABSENT_KEY) {
                deleted += c;
                i += c + 1;
                continue;
            }
            batchSupport = -1;
        }
        for (; i < n; i++) {
            if (calls.delete(s.attrAddress, s.callState, fd, k.address() + i * keySize)) {
                deleted++;
            }
        }
        return deleted;
    }

    /** Deletes every element present when it starts, in chunks of keys read with the cursor. */
    @Override
    public void clear() {
        fdNumber();
        try (Arena arena = Arena.ofConfined()) {
            Cursor c = new Cursor(bulkChunk(), arena);
            // Collect first: deleting while the batch walks would make it skip buckets.
            MemorySegment all = arena.allocate(Math.max(1, (long) bulkChunk() * keySize), 8);
            int n = 0;
            while (c.ready()) {
                int take = c.count - c.pos;
                if ((long) (n + take) * keySize > all.byteSize()) {
                    MemorySegment bigger = arena.allocate(Math.max(all.byteSize() * 2, (n + take) * keySize), 8);
                    MemorySegment.copy(all, 0, bigger, 0, n * keySize);
                    all = bigger;
                }
                MemorySegment.copy(c.keysBuf, c.pos * keySize, all, n * keySize, take * keySize);
                n += take;
                c.pos = c.count;
            }
            for (int i = 0; i < n; i += BULK_CHUNK) {
                deleteRaw(all.asSlice(i * keySize), Math.min(BULK_CHUNK, n - i));
            }
        }
    }

    /** Array elements always exist: deleting one is refused before the kernel refuses it. */
    final UnsupportedOperationException noDelete() {
        return new UnsupportedOperationException("the elements of " + ref.type().libbpfName() + " map '" + name()
                + "' always exist and cannot be deleted: write zeros with set(), or clear() them all");
    }

    /** Sets elements {@code 0 .. length-1} of an array-like map to zeros, in batches. */
    final void zeroAll(int length) {
        try (Arena arena = Arena.ofConfined()) {
            int chunk = bulkChunk();
            MemorySegment k = arena.allocate((long) chunk * 4, 8);
            MemorySegment v = arena.allocate((long) chunk * valueSize, 8); // zeros
            for (int i = 0; i < length; i += chunk) {
                int n = Math.min(chunk, length - i);
                for (int j = 0; j < n; j++) {
                    k.setAtIndex(ValueLayout.JAVA_INT, j, i + j);
                }
                updateRaw(k, v, n);
            }
        }
    }
}
