package io.bpfkit.api.map;

/** A {@code BPF_MAP_TYPE_HASH_OF_MAPS}. See {@link BpfMapOfMaps}. */
public interface BpfHashOfMaps<K, M extends BpfMap> extends BpfMapOfMaps<K, M> {
}
