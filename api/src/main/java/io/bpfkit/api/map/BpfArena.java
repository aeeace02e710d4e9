package io.bpfkit.api.map;

import io.bpfkit.api.codec.Codec;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A BPF arena ({@code BPF_MAP_TYPE_ARENA}, Linux 6.9): memory that programs and this process
 * share at the same addresses. Its {@code max_entries} pages are mapped at the arena's user
 * address; a page no program allocated reads as zeros (any access from user space allocates it,
 * so a program's {@code bpf_arena_alloc_pages} then gets another page). Pointers
 * a program stores in the arena are user addresses, which {@link #at} turns into slices. The
 * object's {@code __arena} globals sit at the start of the arena, by name through
 * {@link #global} and the typed getters.
 *
 * <pre>{@code
 * BpfArena arena = BpfMaps.arena(loaded, "arena");
 * long counter = arena.getLong("counter");              // an __arena global
 * long page = arena.getLong("page_ptr");                // a pointer a program stored
 * MemorySegment p = arena.at(page, 16);                 // what it points to
 * }</pre>
 *
 * <p>A name the object has no {@code __arena} global of, or a global of another size than the
 * accessor, is a {@link io.bpfkit.api.LoadException}.
 */
public interface BpfArena extends BpfMap {

    /** All of the arena's memory: {@code max_entries} pages from {@link #address()}; valid until close. */
    MemorySegment segment();

    /** The user address of the arena's first byte, what programs' arena pointers are relative to. */
    long address();

    /** The names of the object's {@code __arena} globals, in offset order; empty when unknown (a pinned arena). */
    List<String> globals();

    /** The bytes of {@code __arena} global {@code name}, a slice of {@link #segment()}. */
    MemorySegment global(String name);

    /**
     * The {@code size} bytes at user address {@code address} (a pointer read from the arena),
     * a slice of {@link #segment()}.
     *
     * @throws IllegalArgumentException when they are not all inside the arena
     */
    MemorySegment at(long address, long size);

    int getInt(String name);

    long getLong(String name);

    void setInt(String name, int value);

    void setLong(String name, long value);

    /** Decodes global {@code name} with {@code codec}, whose size must be the variable's. */
    <T> T get(String name, Codec<T> codec);

    /** Encodes {@code value} into global {@code name}. */
    <T> void set(String name, Codec<T> codec, T value);
}
