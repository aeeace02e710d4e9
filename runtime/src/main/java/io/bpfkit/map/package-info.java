/**
 * The typed map handles of {@code io.bpfkit.api.map} over bpf(2): {@link io.bpfkit.map.BpfMaps}
 * makes them from a loaded object or a {@link io.bpfkit.map.MapRef} (pin, id, inner map),
 * checking codecs against the map and its BTF (sizes, struct members, signedness: the check
 * bindings make); {@link io.bpfkit.map.RecordCodec} lays Java records out as C structs. Single operations use per-thread scratch memory and allocate
 * nothing but their result; bulk operations use the kernel's batch commands, or single calls
 * where it has none; mmap-able arrays and global sections are read and written in memory.
 */
package io.bpfkit.map;
