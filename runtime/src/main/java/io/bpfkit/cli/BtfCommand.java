package io.bpfkit.cli;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfCHeader;
import io.bpfkit.btf.BtfDump;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfSection;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code bpfkit btf dump FILE [--format raw|c]}: raw is bpftool's default listing, c a header
 * declaring every type ({@code vmlinux.h} when FILE is the kernel's BTF), as {@code bpftool btf
 * dump file FILE format c} prints them.
 */
final class BtfCommand {
    private static final String USAGE = "usage: bpfkit btf dump FILE [--format raw|c]";

    private BtfCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || !args.getFirst().equals("dump") || args.size() < 2) {
            err.println(USAGE);
            return Main.USAGE;
        }
        String file = args.get(1);
        List<String> options = args.subList(2, args.size());
        boolean c;
        if (options.isEmpty() || options.equals(List.of("--format", "raw"))) {
            c = false;
        } else if (options.equals(List.of("--format", "c"))) {
            c = true;
        } else {
            err.println("bpfkit btf dump: unknown option(s) " + options + "; " + USAGE);
            return Main.USAGE;
        }
        try {
            Btf btf = read(Path.of(file));
            OutputStream os = new BufferedOutputStream(out, 1 << 16);
            if (c) {
                BtfCHeader.of(btf).write(os);
            } else {
                BtfDump.dump(btf, os);
            }
            os.flush();
            return Main.OK;
        } catch (ObjectFormatException e) {
            err.println("bpfkit: " + e.inFile(file).getMessage());
            return Main.FAILED;
        } catch (IOException e) {
            err.println("bpfkit: " + file + ": cannot read: " + e.getMessage());
            return Main.FAILED;
        }
    }

    /** The BTF of an ELF object's .BTF section, or of a raw BTF file. */
    static Btf read(Path path) throws IOException {
        MemorySegment data = MemorySegment.ofArray(Files.readAllBytes(path));
        if (ElfFile.isElf(data)) {
            ElfSection s = ElfFile.parse(data).section(".BTF")
                    .orElseThrow(() -> new ObjectFormatException(null, -1, "the object has no .BTF section"));
            return Btf.parse(s.data());
        }
        return Btf.parse(data);
    }
}
