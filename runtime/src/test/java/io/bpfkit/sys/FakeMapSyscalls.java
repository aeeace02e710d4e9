package io.bpfkit.sys;

import io.bpfkit.uapi.BpfCmd;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A map in Java memory behind the {@link MapSyscalls} seam, answering as the kernel does: a hash
 * map (keys of {@code keySize} bytes) or, with {@code keySize} 0, a queue. Errnos can be queued
 * per command ({@link #failNext}) to drive the paths a kernel rarely takes. Not thread-safe.
 *
 * <pre>{@code
 * FakeMapSyscalls fake = new FakeMapSyscalls(4, 8, 2);
 * fake.failNext(BPF_MAP_LOOKUP_ELEM, Errno.EPERM);
 * }</pre>
 */
public final class FakeMapSyscalls implements MapSyscalls {
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final Map<ByteBuffer, byte[]> elements = new LinkedHashMap<>();
    private final Deque<byte[]> queue = new ArrayDeque<>();
    private final Map<Integer, Deque<Integer>> failures = new HashMap<>();
    private final Map<Integer, Integer> calls = new HashMap<>();
    private boolean frozen;

    public FakeMapSyscalls(int keySize, int valueSize, int maxEntries) {
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
    }

    /** The next call of {@code cmd} fails with {@code errno} before doing anything (several queue up). */
    public FakeMapSyscalls failNext(int cmd, int errno) {
        failures.computeIfAbsent(cmd, c -> new ArrayDeque<>()).add(errno);
        return this;
    }

    /** How many times {@code cmd} was called. */
    public int calls(int cmd) {
        return calls.getOrDefault(cmd, 0);
    }

    /** How many elements the map holds. */
    public int size() {
        return keySize == 0 ? queue.size() : elements.size();
    }

    private long injected(int cmd) {
        calls.merge(cmd, 1, Integer::sum);
        Deque<Integer> f = failures.get(cmd);
        return f == null || f.isEmpty() ? 0 : -f.poll();
    }

    // The seam passes raw addresses of the caller's native memory.
    private static final MemorySegment MEMORY = Syscalls.UNSCOPED_MEMORY;

    private static byte[] read(long address, int size) {
        byte[] b = new byte[size];
        MemorySegment.copy(MEMORY, ValueLayout.JAVA_BYTE, address, b, 0, size);
        return b;
    }

    private static void write(long address, byte[] bytes) {
        MemorySegment.copy(bytes, 0, MEMORY, ValueLayout.JAVA_BYTE, address, bytes.length);
    }

    @Override
    public long elem(int cmd, long attr, MemorySegment callState, int fd, long key, long value, long flags) {
        long failed = injected(cmd);
        if (failed != 0) {
            return failed;
        }
        if (cmd == BpfCmd.BPF_MAP_FREEZE) {
            if (frozen) {
                return -Errno.EBUSY;
            }
            frozen = true;
            return 0;
        }
        return keySize == 0 ? queueElem(cmd, value, flags) : hashElem(cmd, key, value, flags);
    }

    private long queueElem(int cmd, long value, long flags) {
        switch (cmd) {
            case BpfCmd.BPF_MAP_UPDATE_ELEM -> {
                if (frozen) {
                    return -Errno.EPERM;
                }
                if (queue.size() >= maxEntries) {
                    if (flags != BpfFlags.BPF_EXIST) {
                        return -Errno.E2BIG;
                    }
                    queue.poll();
                }
                queue.add(read(value, valueSize));
                return 0;
            }
            case BpfCmd.BPF_MAP_LOOKUP_ELEM, BpfCmd.BPF_MAP_LOOKUP_AND_DELETE_ELEM -> {
                byte[] head = cmd == BpfCmd.BPF_MAP_LOOKUP_ELEM ? queue.peek() : queue.poll();
                if (head == null) {
                    return -Errno.ENOENT;
                }
                write(value, head);
                return 0;
            }
            default -> {
                return -Errno.EINVAL;
            }
        }
    }

    private long hashElem(int cmd, long keyAddress, long value, long flags) {
        ByteBuffer key = keyAddress == 0 ? null : ByteBuffer.wrap(read(keyAddress, keySize));
        switch (cmd) {
            case BpfCmd.BPF_MAP_LOOKUP_ELEM, BpfCmd.BPF_MAP_LOOKUP_AND_DELETE_ELEM -> {
                byte[] v = cmd == BpfCmd.BPF_MAP_LOOKUP_ELEM ? elements.get(key) : elements.remove(key);
                if (v == null) {
                    return -Errno.ENOENT;
                }
                write(value, v);
                return 0;
            }
            case BpfCmd.BPF_MAP_UPDATE_ELEM -> {
                return update(key, read(value, valueSize), flags);
            }
            case BpfCmd.BPF_MAP_DELETE_ELEM -> {
                return elements.remove(key) == null ? -Errno.ENOENT : 0;
            }
            case BpfCmd.BPF_MAP_GET_NEXT_KEY -> {
                Iterator<ByteBuffer> it = elements.keySet().iterator();
                if (key != null && elements.containsKey(key)) {
                    while (!it.next().equals(key)) {
                        // up to key
                    }
                }
                if (!it.hasNext()) {
                    return -Errno.ENOENT;
                }
                write(value, it.next().array());
                return 0;
            }
            default -> {
                return -Errno.EINVAL;
            }
        }
    }

    private long update(ByteBuffer key, byte[] value, long flags) {
        if (frozen) {
            return -Errno.EPERM;
        }
        boolean exists = elements.containsKey(key);
        if (flags == BpfFlags.BPF_NOEXIST && exists) {
            return -Errno.EEXIST;
        }
        if (flags == BpfFlags.BPF_EXIST && !exists) {
            return -Errno.ENOENT;
        }
        if (!exists && elements.size() >= maxEntries) {
            return -Errno.E2BIG;
        }
        elements.put(key, value);
        return 0;
    }

    /**
     * Lookup batches go by position: the token is the index to start from. A batch that reaches
     * the end before filling {@code count} answers ENOENT, as the kernel does.
     */
    @Override
    public long batch(int cmd, MemorySegment attr, int fd, long inBatch, long outBatch, long keys, long values,
            int count, long elemFlags) {
        long failed = injected(cmd);
        if (failed != 0) {
            MapSyscalls.reportBatchCount(attr, 0);
            return failed;
        }
        int done = 0;
        long r = 0;
        switch (cmd) {
            case BpfCmd.BPF_MAP_LOOKUP_BATCH, BpfCmd.BPF_MAP_LOOKUP_AND_DELETE_BATCH -> {
                int start = inBatch == 0 ? 0 : MEMORY.get(ValueLayout.JAVA_INT_UNALIGNED, inBatch);
                List<Map.Entry<ByteBuffer, byte[]>> all = new ArrayList<>(elements.entrySet());
                for (int i = start; i < all.size() && done < count; i++, done++) {
                    write(keys + (long) done * keySize, all.get(i).getKey().array());
                    write(values + (long) done * valueSize, all.get(i).getValue());
                    if (cmd == BpfCmd.BPF_MAP_LOOKUP_AND_DELETE_BATCH) {
                        elements.remove(all.get(i).getKey());
                    }
                }
                int next = cmd == BpfCmd.BPF_MAP_LOOKUP_BATCH ? start + done : start;
                MEMORY.set(ValueLayout.JAVA_INT_UNALIGNED, outBatch, next);
                r = done < count ? -Errno.ENOENT : 0;
            }
            case BpfCmd.BPF_MAP_UPDATE_BATCH -> {
                for (; done < count; done++) {
                    r = update(ByteBuffer.wrap(read(keys + (long) done * keySize, keySize)),
                            read(values + (long) done * valueSize, valueSize), elemFlags);
                    if (r < 0) {
                        break;
                    }
                }
            }
            case BpfCmd.BPF_MAP_DELETE_BATCH -> {
                for (; done < count; done++) {
                    if (elements.remove(ByteBuffer.wrap(read(keys + (long) done * keySize, keySize))) == null) {
                        r = -Errno.ENOENT;
                        break;
                    }
                }
            }
            default -> r = -Errno.EINVAL;
        }
        MapSyscalls.reportBatchCount(attr, done);
        return r;
    }
}
