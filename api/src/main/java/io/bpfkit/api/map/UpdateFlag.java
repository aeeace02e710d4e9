package io.bpfkit.api.map;

/** When an update writes: the {@code BPF_ANY}, {@code BPF_NOEXIST} and {@code BPF_EXIST} flags. */
public enum UpdateFlag {
    /** Create the element or replace it ({@code BPF_ANY}). */
    ANY,
    /** Only create: the key must not exist yet ({@code BPF_NOEXIST}). */
    NO_EXIST,
    /** Only replace: the key must exist ({@code BPF_EXIST}). */
    EXIST
}
