/**
 * The binding of {@code profile.bpf.c}, internal to the profiler (not exported): what
 * {@code io.bpfkit.profile.Profiler} loads and reads.
 */
package io.bpfkit.profile.probe;
