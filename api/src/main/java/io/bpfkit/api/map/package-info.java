/**
 * Typed handles on BPF maps: {@link io.bpfkit.api.map.BpfKeyValueMap} (hash, LRU hash, array,
 * per-CPU hash and array, LPM trie), {@link io.bpfkit.api.map.BpfPushPopMap} (queue, stack),
 * {@link io.bpfkit.api.map.BpfBloomFilter}, {@link io.bpfkit.api.map.BpfProgramArray},
 * {@link io.bpfkit.api.map.BpfMapOfMaps}, the map side of ring buffers and perf event arrays,
 * and {@link io.bpfkit.api.map.BpfGlobals} for global variables. Keys and values go through
 * {@link io.bpfkit.api.codec.Codec}s. The runtime's {@code io.bpfkit.map.BpfMaps} makes the
 * handles; generated bindings hand them out.
 *
 * <pre>{@code
 * BpfHashMap<Integer, Long> counts = BpfMaps.hash(loaded, "counts", Codecs.int32(), Codecs.int64());
 * counts.forEach((pid, n) -> System.out.println(pid + " " + n));
 * }</pre>
 */
package io.bpfkit.api.map;
