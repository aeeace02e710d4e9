package io.bpfkit.api.map;

import java.util.Collection;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A map of keys to values: hash maps, arrays, per-CPU maps, LPM tries.
 *
 * <p>Single operations are one system call with no allocation beyond the returned value.
 * Iteration, {@link #forEach}, {@link #snapshot()} and the {@code All} operations use the
 * kernel's batch commands where the map type has them and single calls where it does not.
 *
 * <pre>{@code
 * counts.put(7, 1L);
 * Long n = counts.get(7);                       // null when absent
 * boolean added = counts.put(8, 1L, UpdateFlag.NO_EXIST);
 * for (Map.Entry<Integer, Long> e : counts.entries()) { ... }
 * Map<Integer, Long> copy = counts.snapshot();
 * }</pre>
 *
 * <p>Every method that writes a key or value throws {@link io.bpfkit.api.CodecException} when
 * it does not fit its C form (a string too long for its array, an array of another length, a
 * null struct member, an unsigned value out of range), before any system call.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface BpfKeyValueMap<K, V> extends BpfMap {

    /** The value of {@code key}, or null when the map has no such key. */
    V get(K key);

    /** Whether the map has {@code key}. */
    boolean contains(K key);

    /**
     * Creates or replaces the element ({@link UpdateFlag#ANY}).
     *
     * @throws io.bpfkit.api.CodecException when the key or value does not fit its C form
     * @throws io.bpfkit.api.KernelException when the kernel refuses, e.g. E2BIG when the map is full
     */
    void put(K key, V value);

    /**
     * Writes the element if {@code flag} allows it.
     *
     * @return true when written; false when the key existed ({@link UpdateFlag#NO_EXIST}) or did
     *     not ({@link UpdateFlag#EXIST})
     * @throws io.bpfkit.api.CodecException when the key or value does not fit its C form
     * @throws io.bpfkit.api.KernelException for other refusals, e.g. E2BIG when the map is full
     */
    boolean put(K key, V value, UpdateFlag flag);

    /**
     * Deletes {@code key}.
     *
     * @return false when the map had no such key
     */
    boolean delete(K key);

    /**
     * The keys, read lazily in chunks. Another thread (or a program) may delete elements while
     * this iterates: no key is returned twice, and every key present for the whole iteration is
     * returned.
     */
    Iterable<K> keys();

    /** The elements, read lazily in chunks, with the guarantees of {@link #keys()}. */
    Iterable<Map.Entry<K, V>> entries();

    /** Calls {@code action} for every element, reading them in large batches. */
    void forEach(BiConsumer<? super K, ? super V> action);

    /** A copy of the whole map, in the kernel's iteration order. */
    Map<K, V> snapshot();

    /**
     * Writes every element of {@code elements} ({@code BPF_MAP_UPDATE_BATCH}, or single updates
     * where the kernel lacks it).
     *
     * @return the number written
     */
    int putAll(Map<? extends K, ? extends V> elements);

    /**
     * Deletes every key of {@code keys} that the map has ({@code BPF_MAP_DELETE_BATCH}, or
     * single deletes).
     *
     * @return the number deleted
     */
    int deleteAll(Collection<? extends K> keys);

    /** Removes every element; arrays, whose elements cannot be removed, are set to zeros. */
    void clear();
}
