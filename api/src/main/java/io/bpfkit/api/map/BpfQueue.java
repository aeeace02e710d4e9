package io.bpfkit.api.map;

/**
 * A {@code BPF_MAP_TYPE_QUEUE}: values come out in the order they went in.
 *
 * <pre>{@code
 * BpfQueue<Integer> q = BpfMaps.queue(loaded, "events", Codecs.int32());
 * for (Integer v; (v = q.pop()) != null; ) { ... }
 * }</pre>
 */
public interface BpfQueue<V> extends BpfPushPopMap<V> {
}
