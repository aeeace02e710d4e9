package io.bpfkit.btf;

import io.bpfkit.api.BpfException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The running kernel's BTF ({@code /sys/kernel/btf/vmlinux}), read and parsed once per process.
 *
 * <pre>{@code
 * int id = KernelBtf.vmlinux().findId("btf_trace_sys_enter", BtfKind.TYPEDEF).orElseThrow();
 * }</pre>
 */
public final class KernelBtf {
    public static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

    private static volatile Btf vmlinux;

    private KernelBtf() {
    }

    /**
     * The kernel's BTF.
     *
     * @throws BpfException when the kernel has none (no CONFIG_DEBUG_INFO_BTF) or it cannot be read
     */
    public static Btf vmlinux() {
        Btf b = vmlinux;
        if (b == null) {
            synchronized (KernelBtf.class) {
                b = vmlinux;
                if (b == null) {
                    b = read(VMLINUX);
                    vmlinux = b;
                }
            }
        }
        return b;
    }

    private static Btf read(Path path) {
        if (!Files.exists(path)) {
            throw new BpfException(path + " does not exist: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF),"
                    + " which programs attached by BTF id (tp_btf, fentry, lsm, iter) need");
        }
        try {
            // sysfs reports no size, so read to the end rather than by the reported length.
            return Btf.parse(MemorySegment.ofArray(Files.readAllBytes(path)));
        } catch (IOException e) {
            throw new BpfException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }
}
