package io.bpfkit.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The README's example program: loads hello.bpf.o for this process, opens a file three times. */
public final class HelloMain {
    private HelloMain() {
    }

    public static void main(String[] args) throws IOException {
        try (Hello hello = HelloBinding.open()                  // open: parse the ELF, no syscall
                .targetTgid((int) ProcessHandle.current().pid())
                .load()) {                                      // load: maps, programs, attach
            for (int i = 0; i < 3; i++) {
                Files.readString(Path.of("/proc/self/stat"));   // one openat(2) each
            }
            System.out.println(hello.counts().get(0));          // Stats[calls=3, lastPid=...]
        }
    }
}
