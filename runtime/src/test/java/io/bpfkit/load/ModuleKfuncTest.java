package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.map.BpfGlobals;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.KernelBtf;
import io.bpfkit.map.BpfMaps;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.run.TestRun;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A kfunc of a kernel module (module_kfunc.bpf.c: nf_conntrack's bpf_xdp_ct_lookup). Where
 * nf_conntrack is a module with BTF (loaded by modprobe), the call resolves in the module's BTF
 * and goes to the kernel through fd_array, and the module BTF descriptor the loader opened for
 * it is closed once the object has loaded; where it is built in, the call resolves in vmlinux.
 * Either way the kfunc runs: a lookup of a connection that does not exist says -ENOENT.
 */
@KernelTest
class ModuleKfuncTest {
    private static final int ENOENT = 2;

    @TestFactory
    Stream<DynamicTest> kfuncOfAModule() {
        return Stream.of(KernelProbes.branch("nf_conntrack's bpf_xdp_ct_lookup from the module's BTF",
                KernelProbes.moduleBtf("nf_conntrack"), ModuleKfuncTest::callsTheModulesKfunc,
                ModuleKfuncTest::callsTheBuiltInKfunc));
    }

    private static void callsTheModulesKfunc() {
        assertTrue(KernelBtf.vmlinux().find("bpf_xdp_ct_lookup", BtfKind.FUNC).isEmpty(),
                "vmlinux has no bpf_xdp_ct_lookup: it is nf_conntrack's");
        long before = btfDescriptors();
        try (LoadedObject obj = BpfLoader.load(BpfObjects.open(TestObjects.path("module_kfunc.bpf.o")))) {
            assertEquals(before + 1, btfDescriptors(), "the object's own BTF only: the module's is closed");
            lookUpAndExpectNoEntry(obj);
        }
        assertEquals(before, btfDescriptors(), "closing the object leaves no BTF descriptor behind");
    }

    private static void callsTheBuiltInKfunc() {
        assertTrue(KernelBtf.vmlinux().find("bpf_xdp_ct_lookup", BtfKind.FUNC).isPresent(),
                "without a module, vmlinux has the kfunc");
        try (LoadedObject obj = BpfLoader.load(BpfObjects.open(TestObjects.path("module_kfunc.bpf.o")))) {
            lookUpAndExpectNoEntry(obj);
        }
    }

    private static void lookUpAndExpectNoEntry(LoadedObject obj) {
        try (BpfGlobals bss = BpfMaps.globals(obj, ".bss"); BpfGlobals data = BpfMaps.globals(obj, ".data")) {
            assertEquals(2, TestRun.of(obj.program("ct_lookup").orElseThrow()).data(new byte[64]).run()
                    .returnValue(), "XDP_PASS");
            assertEquals(1, bss.getInt("calls"));
            assertEquals(-ENOENT, data.getInt("lookup_error"), "the kfunc looked and found nothing");
        }
    }

    /** This process's descriptors of BTF objects ({@code anon_inode:btf}). */
    private static long btfDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals("anon_inode:btf");
                } catch (IOException gone) {
                    return false; // the listing's own descriptor, closed meanwhile
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
