package io.bpfkit.object;

import io.bpfkit.btf.BtfType;
import java.util.List;

/**
 * Where a BTF DATASEC's variables really are: clang writes DATASECs with size 0 and the
 * offsets of global variables at 0, and the opener fixes both from the ELF section and
 * symbols, as libbpf does before it hands BTF to the kernel.
 *
 * @param typeId the DATASEC's type id
 * @param name the section name
 * @param size the section's size
 * @param entries the variables with their real offsets, sorted by offset
 */
public record DatasecLayout(int typeId, String name, long size, List<BtfType.DatasecEntry> entries) {
    public DatasecLayout {
        entries = List.copyOf(entries);
    }
}
