package io.bpfkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.KernelTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's example does what the README says. */
@KernelTest
class HelloTest {

    @Test
    void countsThisProcesssOpenatCalls() throws IOException {
        long pid = ProcessHandle.current().pid();
        try (Hello hello = HelloBinding.open().targetTgid((int) pid).load()) {
            long before = hello.counts().get(0).calls();
            for (int i = 0; i < 3; i++) {
                Files.readString(Path.of("/proc/self/stat"));
            }
            Hello.Stats after = hello.counts().get(0);
            // this JVM's other threads may open files too, never fewer
            assertTrue(after.calls() - before >= 3, before + " -> " + after);
            assertEquals(pid, after.lastPid());
        }
    }
}
