package io.bpfkit.uapi;

/**
 * {@code struct bpf_btf_info} of a BTF object ({@code BPF_OBJ_GET_INFO_BY_FD}); the raw BTF
 * is {@code Bpf.btfData}.
 *
 * @param name the name of a kernel/module BTF ({@code vmlinux}, a module), "" for loaded BTF
 */
public record BtfInfo(int id, int btfSize, String name, boolean kernelBtf) {
}
