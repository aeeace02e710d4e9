package io.bpfkit.btf;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfSection;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * BTF from a file: a raw BTF blob ({@code /sys/kernel/btf/vmlinux}, a BTFHub file) or the
 * {@code .BTF} section of an ELF file (a BPF object, a vmlinux image).
 *
 * <pre>{@code
 * Btf vmlinux = BtfFiles.read(Path.of("/sys/kernel/btf/vmlinux"));
 * Btf module = BtfFiles.read(Path.of("/sys/kernel/btf/nf_tables"), vmlinux);
 * }</pre>
 */
public final class BtfFiles {
    private BtfFiles() {
    }

    /** The BTF of {@code path}: raw, or an ELF file's {@code .BTF} section. */
    public static Btf read(Path path) throws IOException {
        return read(path, null);
    }

    /** As {@link #read(Path)}, as split BTF over {@code base} when that is not null. */
    public static Btf read(Path path, Btf base) throws IOException {
        MemorySegment data = MemorySegment.ofArray(Files.readAllBytes(path));
        if (ElfFile.isElf(data)) {
            ElfSection s = ElfFile.parse(data).section(".BTF")
                    .orElseThrow(() -> new ObjectFormatException(null, -1, "the object has no .BTF section"));
            return base != null ? Btf.parse(s.data(), base) : Btf.parse(s.data());
        }
        return base != null ? Btf.parse(data, base) : Btf.parse(data);
    }
}
