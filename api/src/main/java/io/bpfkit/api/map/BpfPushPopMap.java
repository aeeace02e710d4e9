package io.bpfkit.api.map;

/**
 * A map without keys that values are pushed to and popped from: {@link BpfQueue} (first in,
 * first out) and {@link BpfStack} (last in, first out).
 */
public interface BpfPushPopMap<V> extends BpfMap {

    /**
     * Adds {@code value}.
     *
     * @return false when the map is full
     */
    boolean push(V value);

    /** Adds {@code value}, dropping the oldest value when the map is full ({@code BPF_EXIST}). */
    void pushOverwriting(V value);

    /** Takes the next value out, or returns null when empty. */
    V pop();

    /** The next value without taking it out, or null when empty. */
    V peek();
}
