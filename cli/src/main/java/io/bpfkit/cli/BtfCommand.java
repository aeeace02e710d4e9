package io.bpfkit.cli;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfCHeader;
import io.bpfkit.btf.BtfDump;
import io.bpfkit.btf.BtfFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code bpfkit btf dump FILE [--base BASE] [--format raw|c]}: raw is bpftool's default
 * listing, c a header declaring every type and then every kfunc ({@code vmlinux.h} when FILE is
 * the kernel's BTF), as {@code bpftool [--base-btf BASE] btf dump file FILE format c unsorted}
 * (bpftool 7.5) prints them; see {@link BtfCHeader}. {@code --base} reads
 * FILE as split BTF over BASE: a kernel module's ({@code /sys/kernel/btf/MODULE}) over vmlinux.
 */
final class BtfCommand {
    private static final String USAGE = "usage: bpfkit btf dump FILE [--base BASE] [--format raw|c]";

    private BtfCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || !args.getFirst().equals("dump") || args.size() < 2) {
            err.println(USAGE);
            return Main.USAGE;
        }
        String file = args.get(1);
        String base = null;
        boolean c = false;
        for (int i = 2; i < args.size(); i += 2) {
            String option = args.get(i);
            String value = i + 1 < args.size() ? args.get(i + 1) : null;
            if (option.equals("--format") && ("raw".equals(value) || "c".equals(value))) {
                c = value.equals("c");
            } else if (option.equals("--base") && value != null) {
                base = value;
            } else {
                err.println("bpfkit btf dump: unknown option(s) " + args.subList(i, args.size()) + "; " + USAGE);
                return Main.USAGE;
            }
        }
        String current = base != null ? base : file;
        try {
            Btf baseBtf = base != null ? read(Path.of(base), null) : null;
            current = file;
            Btf btf = read(Path.of(file), baseBtf);
            OutputStream os = new BufferedOutputStream(out, 1 << 16);
            if (c) {
                BtfCHeader.of(btf).write(os);
            } else {
                BtfDump.dump(btf, os);
            }
            os.flush();
            return Main.OK;
        } catch (ObjectFormatException e) {
            err.println("bpfkit: " + e.inFile(current).getMessage());
            return Main.FAILED;
        } catch (IOException e) {
            err.println("bpfkit: " + current + ": cannot read: " + e.getMessage());
            return Main.FAILED;
        }
    }

    /** The BTF of an ELF object's .BTF section, or of a raw BTF file. */
    static Btf read(Path path) throws IOException {
        return BtfFiles.read(path);
    }

    /** As {@link #read(Path)}, as split BTF over {@code base} when that is not null. */
    static Btf read(Path path, Btf base) throws IOException {
        return BtfFiles.read(path, base);
    }
}
