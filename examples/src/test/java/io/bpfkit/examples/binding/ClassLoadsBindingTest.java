package io.bpfkit.examples.binding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.KernelTest;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/**
 * {@code @Program(autoAttach = true)} on a {@code usdt/} section, through the generated
 * {@code ClassLoadsProbeBinding} only: loading the binding attaches the program to HotSpot's
 * class__loaded probe, and this JVM's class loads are counted; closing it detaches.
 */
@KernelTest
class ClassLoadsBindingTest {

    /** A class the test loads afresh, each time in a loader of its own. */
    public static final class Loaded {
    }

    private static void loadClasses(int n) throws Exception {
        URL classes = ClassLoadsBindingTest.class.getProtectionDomain().getCodeSource().getLocation();
        for (int i = 0; i < n; i++) {
            try (URLClassLoader loader = new URLClassLoader(new URL[] {classes}, null)) {
                assertEquals(loader, loader.loadClass(Loaded.class.getName()).getClassLoader());
            }
        }
    }

    @Test
    void bindingAttachesTheUsdtProgramFromItsSection() throws Exception {
        try (ClassLoadsProbe p = ClassLoadsProbeBinding.open().load()) {
            long before = p.classLoads();
            loadClasses(5);
            long seen = p.classLoads() - before;
            assertTrue(seen >= 5, "class loads seen: " + seen);
        }
    }
}
