package io.bpfkit.api.map;

import io.bpfkit.api.BpfProgram;
import java.util.Optional;

/**
 * A {@code BPF_MAP_TYPE_DEVMAP} or {@code BPF_MAP_TYPE_DEVMAP_HASH}: network devices that XDP
 * programs redirect packets to with {@code bpf_redirect_map}. In a devmap the key is a slot
 * below {@code max_entries}; in a devmap_hash any 32-bit key. With 8-byte values
 * ({@code struct bpf_devmap_val}) an entry may carry an XDP program ({@code SEC("xdp/devmap")})
 * that runs on each packet before it leaves.
 *
 * <pre>{@code
 * BpfDevMap ports = BpfMaps.devMap(loaded, "ports");
 * ports.set(0, Attach.ifindex("veth1"));
 * ports.set(1, Attach.ifindex("veth2"), loaded.program("on_egress").orElseThrow());
 * ports.entry(0);                      // Optional[Entry[ifindex=5, programId=0]]
 * }</pre>
 */
public interface BpfDevMap extends BpfMap {

    /** An entry: the device's index and the id of its program (0: none). */
    record Entry(int ifindex, int programId) {
    }

    /**
     * Points {@code key} at the device with index {@code ifindex}.
     *
     * @throws io.bpfkit.api.KernelException when the kernel refuses (ENODEV: no such device)
     */
    void set(int key, int ifindex);

    /**
     * Points {@code key} at the device with index {@code ifindex} and runs {@code program}
     * (an XDP program loaded for {@code BPF_XDP_DEVMAP}) on what is redirected there.
     *
     * @throws IllegalStateException when the map's values are 4 bytes (no room for a program)
     */
    void set(int key, int ifindex, BpfProgram program);

    /**
     * Empties {@code key}; redirects to it then take the fallback action.
     *
     * @return false when a devmap_hash had no such key; a devmap's slot clears whether it was
     *     set or not (the kernel does not tell), and this returns true
     */
    boolean clear(int key);

    /** The entry under {@code key}, or empty. */
    Optional<Entry> entry(int key);
}
