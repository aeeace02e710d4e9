package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.KernelException;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.testing.HostFeatures;
import io.bpfkit.testing.Kallsyms;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * externs.bpf.c against the running kernel: .kconfig values compared with /proc/config.gz and
 * uname, a typeless ksym with /proc/kallsyms, weak kfuncs (bpf_task_from_pid / bpf_task_release
 * in a syscall program) finding this process where the kernel has them (6.2 and later), and
 * poisoned, their guarded calls dropped, where it has not; ksyms_typed.bpf.c's typed ksym of a
 * per-CPU variable, which loads where kallsyms lists kernel data and is refused clearly elsewhere.
 */
@KernelTest
class ExternsLoadTest {

    private static ByteBuffer runExterns(int selfPid) {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("externs.bpf.o"));
        spec.dataMap(".rodata").orElseThrow().setVariable("self_pid",
                ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(selfPid).array());
        try (LoadedObject obj = BpfLoader.load(spec)) {
            assertEquals(0, LoaderTest.run(obj, "read_externs"));
            ByteBuffer out = ByteBuffer.wrap(CoreLoadTest.bss(obj, "externs.bss")).order(ByteOrder.nativeOrder());
            return out.position((int) LoaderTest.offset(obj, "externs.bss", "out")).slice().order(ByteOrder.nativeOrder());
        }
    }

    @Test
    void kconfigValuesAreTheKernelsConfig() throws IOException {
        KernelConfig cfg = KernelConfig.running().orElseThrow();
        ByteBuffer out = runExterns(0);
        String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        String version = Files.readString(Path.of("/proc/sys/kernel/version")).strip();
        Path ubuntu = Path.of("/proc/version_signature");
        String signature = Files.isReadable(ubuntu) ? Files.readString(ubuntu).strip() : null;
        assertEquals(kernelVersion(signature, version, release), out.getInt(0),
                "LINUX_KERNEL_VERSION of " + release + " (" + version + ")");
        assertEquals("y".equals(cfg.value("CONFIG_BPF_SYSCALL")) ? 1 : 0, out.getInt(4), "CONFIG_BPF_SYSCALL");
        assertEquals(Integer.parseInt(cfg.value("CONFIG_HZ")), out.getInt(8), "CONFIG_HZ");
        String jit = cfg.value("CONFIG_BPF_JIT");
        assertEquals(jit == null ? 0 : jit.equals("y") ? 1 : jit.equals("m") ? 2 : 0, out.getInt(12), "CONFIG_BPF_JIT");
        String local = cfg.value("CONFIG_LOCALVERSION"); // "\"-fc-v782\"", "\"\"" or absent
        String expectedLocal = local == null ? "" : local.substring(1, local.length() - 1);
        assertEquals(expectedLocal, CoreLoadTest.cString(out, 16, 16), "CONFIG_LOCALVERSION");
        assertEquals(0, out.getInt(32), "CONFIG_BPFKIT_NO_SUCH_OPTION (weak, absent)");
    }

    /**
     * KERNEL_VERSION(major, minor, sublevel), the sublevel capped at 255, as libbpf finds it:
     * Ubuntu's real version (the third field of /proc/version_signature), else Debian's, which
     * its release does not carry ("Debian 6.1.158-1" in uname -v for "6.1.0-57-amd64"), else
     * the release ("6.18.44-fc-v782"; "6.18-rc1" has sublevel 0).
     */
    static int kernelVersion(String ubuntuSignature, String unameVersion, String release) {
        if (ubuntuSignature != null) {
            String[] f = ubuntuSignature.split("\\s+");
            Matcher ubuntu = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)").matcher(f.length >= 3 ? f[2] : "");
            if (ubuntu.lookingAt()) {
                return code(ubuntu);
            }
        }
        Matcher debian = Pattern.compile("Debian (\\d+)\\.(\\d+)\\.(\\d+)").matcher(unameVersion);
        if (debian.find()) {
            return code(debian);
        }
        Matcher m = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?").matcher(release);
        assertTrue(m.lookingAt(), "not a kernel release: " + release);
        return code(m);
    }

    private static int code(Matcher m) {
        int sublevel = m.group(3) == null ? 0 : (int) Math.min(255, Long.parseLong(m.group(3)));
        return (Integer.parseInt(m.group(1)) << 16) + (Integer.parseInt(m.group(2)) << 8) + sublevel;
    }

    @Test
    void kernelVersionsOfReleases() {
        assertEquals(0x06122c, kernelVersion(null, "#1 SMP PREEMPT_DYNAMIC", "6.18.44-fc-v782"));
        assertEquals((6 << 16) + (12 << 8) + 118, kernelVersion(null, "#1 SMP PREEMPT_DYNAMIC Debian 6.12.118-1~deb12u1",
                "6.12.118+deb12-amd64"));
        assertEquals((6 << 16) + (1 << 8) + 158, kernelVersion(null, "#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (2025-11-09)",
                "6.1.0-57-amd64"));
        assertEquals((5 << 16) + (4 << 8) + 255, kernelVersion("Ubuntu 5.4.0-12.15-generic 5.4.302", "#13-Ubuntu",
                "5.4.0-12-generic"));
        assertEquals((5 << 16) + (4 << 8) + 255, kernelVersion(null, "#1", "5.4.302"));
        assertEquals((6 << 16) + (18 << 8), kernelVersion(null, "#1", "6.18-rc1"));
    }

    @Test
    void typelessKsymsAreKallsymsAddresses() {
        ByteBuffer out = runExterns(0);
        Kallsyms.Symbol put = Kallsyms.only("bpf_prog_put");
        assertTrue(put.isText(), put.toString());
        assertNotEquals(0, put.address(), "kallsyms shows addresses to root");
        assertEquals(put.address(), out.getLong(40), "bpf_prog_put");
        assertEquals(0, out.getLong(48), "bpfkit_no_such_ksym (weak, absent)");
        assertEquals(0, out.getInt(56), "kfuncs skipped without self_pid");
    }

    @TestFactory
    DynamicTest kfuncCallsFindThisProcess() {
        return KernelProbes.branch("weak kfuncs bpf_task_from_pid / bpf_task_release",
                KernelProbes.kernelBtfFunction("bpf_task_from_pid"), () -> {
                    ByteBuffer out = runExterns((int) ProcessHandle.current().pid());
                    assertEquals(1, out.getInt(60), "bpf_ksym_exists of both kfuncs");
                    assertEquals(1, out.getInt(56), "bpf_task_from_pid found the task");
                }, () -> {
                    // The weak kfuncs resolve to nothing: their calls are poisoned, and the
                    // bpf_ksym_exists guard in front of them makes them dead code, so the object
                    // loads and the program reports the kfuncs missing.
                    ByteBuffer out = runExterns((int) ProcessHandle.current().pid());
                    assertEquals(0, out.getInt(60), "bpf_ksym_exists of the absent kfuncs");
                    assertEquals(0, out.getInt(56), "no kfunc call ran");
                });
    }

    @TestFactory
    DynamicTest typedKsymsOfData() {
        // bpf_prog_active is a per-CPU VAR in vmlinux BTF: the loader resolves it to its BTF id,
        // and the verifier then looks its address up in kallsyms, which lists data only with
        // CONFIG_KALLSYMS_ALL.
        return HostFeatures.kallsymsData().test("the program loads and reaches bpf_prog_active on this CPU", () -> {
            try (LoadedObject obj = BpfLoader.load(BpfObjects.open(TestObjects.path("ksyms_typed.bpf.o")))) {
                assertEquals(0, LoaderTest.run(obj, "read_ksyms"));
                ByteBuffer bss = ByteBuffer.wrap(CoreLoadTest.bss(obj, "ksyms_ty.bss")).order(ByteOrder.nativeOrder());
                assertEquals(1, bss.getInt((int) LoaderTest.offset(obj, "ksyms_ty.bss", "prog_active_seen")),
                        "bpf_this_cpu_ptr(&bpf_prog_active) gave a pointer");
                assertEquals(0, bss.getInt((int) LoaderTest.offset(obj, "ksyms_ty.bss", "weak_present")),
                        "the weak ksym the kernel lacks resolved to 0");
            }
        }, "BPF_PROG_LOAD is refused and the error names the symbol", () -> {
            BpfObjectSpec spec = BpfObjects.open(TestObjects.path("ksyms_typed.bpf.o"));
            KernelException e = assertThrows(KernelException.class, () -> BpfLoader.load(spec));
            // The kernel names the symbol it looked up from our BTF id: the id was bpf_prog_active's.
            assertTrue(e.getMessage().contains("kernel symbol 'bpf_prog_active'"), e.getMessage());
        });
    }

    @Test
    void aMissingWeakKfuncIsPoisonedAndItsGuardedCallDropped() {
        try (LoadedObject obj = BpfLoader.load(BpfObjects.open(TestObjects.path("externs_missing.bpf.o")))) {
            assertEquals(7, LoaderTest.run(obj, "weak_kfunc"));
        }
    }

    @Test
    void aMissingStrongKconfigExternIsAClearError() throws IOException {
        long fds = LoaderTest.openFds();
        io.bpfkit.api.LoadException e = assertThrows(io.bpfkit.api.LoadException.class,
                () -> BpfLoader.load(BpfObjects.open(TestObjects.path("kconfig_strong.bpf.o"))));
        assertTrue(e.getMessage().contains("CONFIG_BPFKIT_REQUIRED"), e.getMessage());
        assertTrue(e.getMessage().contains("__weak"), e.getMessage());
        assertEquals(fds, LoaderTest.openFds(), "the maps made before the failure are closed");
    }
}
