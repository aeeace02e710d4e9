package io.bpfkit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * This machine's system call numbers, from the kernel's UAPI header for its architecture
 * (linux-libc-dev): {@code asm/unistd_64.h} on x86-64, the generic table on arm64 and RISC-V.
 * For BPF programs that filter on a number ({@code raw_tp/sys_enter}), which differs by
 * architecture (getppid is 110 on x86-64, 173 on arm64).
 */
public final class SyscallNumbers {
    private SyscallNumbers() {
    }

    /** The number of system call {@code name} here, e.g. {@code of("getppid")}. */
    public static int of(String name) {
        Path header = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
            case "aarch64", "riscv64" -> Path.of("/usr/include/asm-generic/unistd.h");
            default -> throw new AssertionError("no system call table known for " + System.getProperty("os.arch"));
        };
        Tools.assumePresent(Files.isReadable(header), header + " is missing (Debian: apt-get install linux-libc-dev)");
        try {
            Matcher m = Pattern.compile("(?m)^#define __NR_" + Pattern.quote(name) + "\\s+(\\d+)\\s*$")
                    .matcher(Files.readString(header));
            if (!m.find()) {
                throw new AssertionError("no __NR_" + name + " in " + header);
            }
            return Integer.parseInt(m.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
