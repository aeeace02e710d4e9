package io.bpfkit.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedMap;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.UsdtTarget;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * USDT attach on this kernel: auto-attach from {@code SEC("usdt/libjvm.so:hotspot:class__loaded")}
 * counts the classes this JVM loads; spec ids are given back when links close; and each bad
 * input is a clear error that leaks no descriptor.
 */
@KernelTest
@SuppressWarnings("try")
class UsdtAttachTest {

    /** A class for fresh class loaders to load again and again. */
    public static final class Loaded {
    }

    static long classLoads(LoadedObject obj) {
        LoadedMap bss = obj.maps().values().stream().filter(m -> m.name().endsWith(".bss")).findFirst().orElseThrow();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment v = arena.allocate(bss.spec().valueSize());
            MapCalls.of(bss.fd()).lookup(k, v);
            return v.get(ValueLayout.JAVA_LONG, bss.spec().variable("class_loads").orElseThrow().offset());
        }
    }

    static void loadClasses(int n) throws Exception {
        URL classes = UsdtAttachTest.class.getProtectionDomain().getCodeSource().getLocation();
        for (int i = 0; i < n; i++) {
            try (URLClassLoader loader = new URLClassLoader(new URL[] {classes}, null)) {
                Class<?> c = loader.loadClass(Loaded.class.getName());
                assertEquals(loader, c.getClassLoader());
            }
        }
    }

    @Test
    void autoAttachFromTheSectionCountsTheClassesThisJvmLoads() throws Exception {
        try (LoadedObject obj = BpfLoader.load(BpfObjects.open(TestObjects.path("usdt.bpf.o")))) {
            LoadedProgram prog = obj.program("on_class_loaded").orElseThrow();
            assertTrue(AutoAttach.canAutoAttach(prog));
            try (Link link = AutoAttach.attach(prog)) {
                assertTrue(link.name().contains("libjvm.so:hotspot:class__loaded"), link.name());
                long before = classLoads(obj);
                loadClasses(5);
                assertTrue(classLoads(obj) - before >= 5, "class loads seen: " + (classLoads(obj) - before));
            }
            long after = classLoads(obj);
            loadClasses(3);
            assertEquals(after, classLoads(obj), "detached");
        }
    }

    @Test
    void perProcessAttachToThisJvm() throws Exception {
        try (LoadedObject obj = BpfLoader.load(BpfObjects.open(TestObjects.path("usdt.bpf.o")));
             Link link = Attach.usdt(obj.program("on_class_loaded").orElseThrow(),
                     UsdtOptions.of("libjvm.so", "hotspot", "class__loaded").pid(0))) {
            loadClasses(4);
            assertTrue(classLoads(obj) >= 4, "class loads seen: " + classLoads(obj));
        }
    }

    @Test
    void specIdsAreGivenBackWhenLinksClose() {
        String target = UsdtTarget.path().toString();
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("usdt.bpf.o"));
        spec.map("__bpf_usdt_specs").orElseThrow().maxEntries(4);
        try (LoadedObject obj = BpfLoader.load(spec)) {
            LoadedProgram prog = obj.program("on_probe").orElseThrow();
            // 'twice' has two sites with different arguments: two spec ids per attach
            try (Link a = Attach.usdt(prog, UsdtOptions.of(target, "bpfkit", "twice"));
                 Link b = Attach.usdt(prog, UsdtOptions.of(target, "bpfkit", "twice"))) {
                LoadException full = assertThrows(LoadException.class,
                        () -> Attach.usdt(prog, UsdtOptions.of(target, "bpfkit", "constants")));
                assertTrue(full.getMessage().contains("all 4 USDT spec slots of __bpf_usdt_specs are in use"),
                        full.getMessage());
            }
            for (int i = 0; i < 6; i++) {
                Attach.usdt(prog, UsdtOptions.of(target, "bpfkit", "twice").cookie(i)).close();
            }
        }
    }

    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void badInputIsAClearErrorAndLeaksNoDescriptor(@TempDir Path tmp) throws Exception {
        Path target = UsdtTarget.path();
        byte[] bytes = Files.readAllBytes(target);
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("-4@$77");
        bytes[at + 3] = '#';
        Path malformed = tmp.resolve("usdt_malformed");
        Files.write(malformed, bytes);
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        int deadPid = (int) exited.pid();
        try (LoadedObject obj = BpfLoader.load(BpfObjects.open(TestObjects.path("usdt.bpf.o")));
             LoadedObject plain = BpfLoader.load(BpfObjects.open(TestObjects.path("kprobe.bpf.o")))) {
            LoadedProgram prog = obj.program("on_probe").orElseThrow();
            // once, so that lazily opened descriptors (feature probes) are counted in the baseline
            Attach.usdt(prog, UsdtOptions.of(target.toString(), "bpfkit", "constants")).close();
            long fds = openFds();

            LoadException e = assertThrows(LoadException.class,
                    () -> Attach.usdt(prog, UsdtOptions.of("/bin/true", "hotspot", "gc__begin")));
            assertTrue(e.getMessage().contains("/bin/true has no USDT probes (no .note.stapsdt section)"),
                    e.getMessage());

            e = assertThrows(LoadException.class,
                    () -> Attach.usdt(prog, UsdtOptions.of("libjvm.so", "hotspot", "no__such__probe")));
            assertTrue(e.getMessage().contains("USDT probe hotspot:no__such__probe: not in "), e.getMessage());
            e = assertThrows(LoadException.class,
                    () -> Attach.usdt(prog, UsdtOptions.of("libjvm.so", "nosuchprovider", "gc__begin")));
            assertTrue(e.getMessage().contains("its providers are [hotspot"), e.getMessage());

            ObjectFormatException f = assertThrows(ObjectFormatException.class,
                    () -> Attach.usdt(prog, UsdtOptions.of(malformed.toString(), "bpfkit", "constants")));
            assertTrue(f.getMessage().contains("USDT probe bpfkit:constants, argument #3 '-4@#77'"), f.getMessage());

            BpfException dead = assertThrows(BpfException.class, () -> Attach.usdt(prog,
                    UsdtOptions.of(target.toString(), "bpfkit", "twice").pid(deadPid)));
            assertTrue(dead.getMessage().contains("process " + deadPid + " does not exist (it exited)"),
                    dead.getMessage());

            e = assertThrows(LoadException.class, () -> Attach.usdt(plain.program("manual").orElseThrow(),
                    UsdtOptions.of(target.toString(), "bpfkit", "constants").cookie(9)));
            assertTrue(e.getMessage().contains("uses no __bpf_usdt_specs map, so cookie 9 of usdt "), e.getMessage());

            assertEquals(fds, openFds(), "descriptors after the failed attaches");
        }
    }
}
