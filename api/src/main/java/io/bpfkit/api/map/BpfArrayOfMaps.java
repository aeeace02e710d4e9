package io.bpfkit.api.map;

/** A {@code BPF_MAP_TYPE_ARRAY_OF_MAPS}: slots indexed from 0. See {@link BpfMapOfMaps}. */
public interface BpfArrayOfMaps<M extends BpfMap> extends BpfMapOfMaps<Integer, M> {

    /** The number of slots. */
    int length();
}
