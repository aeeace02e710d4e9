package io.bpfkit.examples.syslat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * System call names and numbers of this machine, from the kernel's {@code asm/unistd_64.h}
 * ({@code #define __NR_read 0}; package linux-libc-dev, which the BPF toolchain brings). Without
 * that header, system calls are shown and chosen by number only.
 */
final class SyscallNames {
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define __NR_(\\w+)\\s+(\\d+)\\s*$");
    private static final String[] HEADERS = {
        "/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "/usr/include/asm/unistd_64.h",
        "/usr/include/aarch64-linux-gnu/asm/unistd_64.h"};

    private final Map<String, Integer> byName = new HashMap<>();
    private final Map<Integer, String> byNumber = new HashMap<>();

    SyscallNames(String header) {
        Matcher m = DEFINE.matcher(header);
        while (m.find()) {
            int nr = Integer.parseInt(m.group(2));
            byName.put(m.group(1), nr);
            byNumber.put(nr, m.group(1));
        }
    }

    /** This machine's names (none when no header is installed). */
    static SyscallNames load() {
        for (String h : HEADERS) {
            try {
                return new SyscallNames(Files.readString(Path.of(h)));
            } catch (IOException e) {
                // try the next place
            }
        }
        return new SyscallNames("");
    }

    /** The name of system call {@code nr}, or {@code syscall_NR}. */
    String name(int nr) {
        return byNumber.getOrDefault(nr, "syscall_" + nr);
    }

    /** The number of {@code nameOrNumber} ({@code nanosleep}, {@code sys_nanosleep} or {@code 35}). */
    int number(String nameOrNumber) {
        if (nameOrNumber.chars().allMatch(Character::isDigit) && !nameOrNumber.isEmpty()) {
            return Integer.parseInt(nameOrNumber);
        }
        String name = nameOrNumber.startsWith("sys_") ? nameOrNumber.substring(4) : nameOrNumber;
        Integer nr = byName.get(name);
        if (nr == null) {
            throw new IllegalArgumentException("unknown system call " + nameOrNumber + (byName.isEmpty()
                    ? " (no asm/unistd_64.h on this machine: give its number)" : ""));
        }
        return nr;
    }
}
