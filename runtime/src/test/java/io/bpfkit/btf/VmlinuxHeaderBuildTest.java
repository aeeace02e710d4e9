package io.bpfkit.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the build makes vmlinux.h (scripts/build-bpf.sh --vmlinux-h, run by Maven for the test
 * and example BPF sources): with our own dumper, only for sources that include it, from the BTF
 * that BPFKIT_VMLINUX_BTF names when set, and with a clear reason when there is no BTF.
 */
class VmlinuxHeaderBuildTest {
    private static final Path SCRIPT = Path.of("..", "scripts", "build-bpf.sh").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private Tools.Result build(String btf, Path src) {
        TestTools.requireClang();
        List<String> cmd = new ArrayList<>(List.of("env"));
        if (btf != null) {
            cmd.add("BPFKIT_VMLINUX_BTF=" + btf);
        }
        cmd.addAll(List.of("bash", SCRIPT.toString(), "--vmlinux-h", dir.resolve("include").toString(),
                "--java", ProcessHandle.current().info().command().orElseThrow(),
                "--classpath", System.getProperty("java.class.path"), dir.resolve("out").toString(), src.toString()));
        return Tools.run(120, cmd.toArray(String[]::new));
    }

    private Path sources(boolean includesVmlinux) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("plain.bpf.c"), """
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                SEC("socket") int plain(void *ctx) { return 0; }
                char LICENSE[] SEC("license") = "GPL";
                """);
        if (includesVmlinux) {
            // The types of maps_btf.bpf.o's BTF, as its header declares them (not the kernel's
            // types, so no bpf_helpers.h, which needs some of those).
            Files.writeString(src.resolve("uses.bpf.c"), """
                    #include "vmlinux.h"
                    __attribute__((section("socket"), used)) int uses(void *ctx) { return sizeof(struct flow_stats); }
                    char LICENSE[] __attribute__((section("license"), used)) = "GPL";
                    """);
        }
        return src;
    }

    @Test
    void headerComesFromTheNamedBtfAndTheSourceUsingItBuilds() throws Exception {
        Path object = TestObjects.path("maps_btf.bpf.o");
        Tools.Result r = build(object.toString(), sources(true));
        assertEquals(0, r.exitCode(), r.stderr());
        String header = Files.readString(dir.resolve("include/vmlinux.h"));
        assertEquals(BtfCHeader.generate(Btf.parse(TestTools.elfSection(Files.readAllBytes(object), ".BTF").orElseThrow())),
                header);
        assertTrue(Files.isRegularFile(dir.resolve("out/uses.bpf.o")));
        assertTrue(Files.isRegularFile(dir.resolve("out/plain.bpf.o")));
    }

    @Test
    void withoutBtfTheBuildSaysWhyItCannotMakeTheHeader() throws Exception {
        Tools.Result r = build("/nonexistent/vmlinux", sources(true));
        assertEquals(1, r.exitCode());
        assertTrue(r.stderr().contains("cannot make vmlinux.h, which uses.bpf.c"), r.stderr());
        assertTrue(r.stderr().contains("BPFKIT_VMLINUX_BTF names /nonexistent/vmlinux, which cannot be read"), r.stderr());
    }

    @Test
    void sourcesThatDoNotIncludeItNeedNoBtf() throws Exception {
        Tools.Result r = build("/nonexistent/vmlinux", sources(false));
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(Files.isRegularFile(dir.resolve("out/plain.bpf.o")));
        assertFalse(Files.exists(dir.resolve("include/vmlinux.h")));
    }
}
