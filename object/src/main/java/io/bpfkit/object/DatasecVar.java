package io.bpfkit.object;

import io.bpfkit.btf.BtfType;

/**
 * A variable of a BTF DATASEC after libbpf's fix-up: clang leaves the offsets of non-static
 * variables at 0 and the section size at 0, so offsets come from the ELF symbols; a global
 * with hidden or internal visibility counts as static.
 */
record DatasecVar(BtfType.Var var, long offset, long size, boolean isStatic) {
}
