package io.bpfkit.api.map;

/** A {@code BPF_MAP_TYPE_STACK}: the value pushed last comes out first. */
public interface BpfStack<V> extends BpfPushPopMap<V> {
}
