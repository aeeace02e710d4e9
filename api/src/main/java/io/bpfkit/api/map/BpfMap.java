package io.bpfkit.api.map;

/**
 * A map in the kernel, seen through a typed handle. Every map handle has a name, a file
 * descriptor, the kernel's description of the map, and can be frozen and pinned.
 *
 * <p>Handles are safe to share between threads. A handle made from a loaded object borrows the
 * object's file descriptor: the object closes it, and the handle's {@link #close()} only
 * releases the handle's own memory (scratch buffers, a {@code mmap} mapping). A handle opened
 * from a pin or handed out by a map-of-maps owns its descriptor and closes it. A closed handle
 * throws {@link IllegalStateException}.
 *
 * <pre>{@code
 * BpfHashMap<Integer, Long> counts = BpfMaps.hash(loaded, "counts", Codecs.int32(), Codecs.int64());
 * System.out.println(counts.info());        // id, name, type, sizes, flags
 * counts.pin("/sys/fs/bpf/counts");
 * }</pre>
 */
public interface BpfMap extends AutoCloseable {

    /** The map's name: the C variable's name for maps an object defines. */
    String name();

    /**
     * The map's file descriptor, for calls bpfkit does not wrap; never to be closed by the
     * caller.
     *
     * @throws IllegalStateException when the handle or its owner has been closed
     */
    int fileDescriptor();

    /** What the kernel says about the map ({@code BPF_OBJ_GET_INFO_BY_FD}). */
    MapInfo info();

    /**
     * Makes the map read-only for user space ({@code BPF_MAP_FREEZE}); programs can still
     * write it. Updates through any handle fail afterwards. The kernel refuses when the map is
     * frozen already ({@code EPERM}), while it is mapped writable and while an update is in
     * progress on another thread ({@code EBUSY}). A mapped array's handle maps it again
     * read-only first; another handle's or process's writable mapping still makes this fail, and
     * so does a global data section's own mapping ({@code .data}, {@code .bss}).
     */
    void freeze();

    /**
     * Pins the map at {@code path} on a bpffs mount ({@code BPF_OBJ_PIN}), so that it outlives
     * this process; open it again with the runtime's {@code BpfMaps.openPinned}.
     */
    void pin(String path);

    /** Releases what the handle owns; idempotent. */
    @Override
    void close();
}
