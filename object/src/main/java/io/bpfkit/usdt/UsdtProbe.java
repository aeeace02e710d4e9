package io.bpfkit.usdt;

import io.bpfkit.api.ObjectFormatException;
import java.util.List;

/**
 * One USDT probe site of an ELF file, from its {@code .note.stapsdt} note.
 *
 * @param provider the provider, e.g. {@code hotspot}
 * @param name the probe's name, e.g. {@code gc__begin}
 * @param address the probe's virtual address in the file, adjusted by {@code .stapsdt.base}
 * @param noteBase the {@code .stapsdt.base} address the note recorded at link time
 * @param semaphore the virtual address of the probe's semaphore, 0 when it has none
 * @param arguments the argument string, e.g. {@code -4@%eax 8@-16(%rbp)} (empty when none)
 * @param fileOffset the probe's file offset, where a uprobe goes
 * @param semaphoreFileOffset the semaphore's file offset (a uprobe's {@code ref_ctr_offset}), 0 when none
 * @param noteOffset the note's offset in {@code .note.stapsdt}, for error messages
 */
public record UsdtProbe(String provider, String name, long address, long noteBase, long semaphore, String arguments,
        long fileOffset, long semaphoreFileOffset, long noteOffset) {

    /** {@code provider:name}. */
    public String label() {
        return provider + ":" + name;
    }

    /** Whether the probe has a semaphore that must be counted up while it is traced. */
    public boolean hasSemaphore() {
        return semaphore != 0;
    }

    /**
     * The parsed arguments.
     *
     * @throws ObjectFormatException naming this probe and the argument when one is malformed
     */
    public List<UsdtArgument> arguments(UsdtArch arch) {
        try {
            return UsdtArguments.parse(arguments, arch, label());
        } catch (ObjectFormatException e) {
            throw new ObjectFormatException(null, ".note.stapsdt", noteOffset, e.problem(), null);
        }
    }
}
