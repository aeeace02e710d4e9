package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.map.BpfGlobals;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfType;
import io.bpfkit.btf.KernelBtf;
import io.bpfkit.link.AutoAttach;
import io.bpfkit.map.BpfMaps;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.Syscalls;
import io.bpfkit.sys.TestRunAttr;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * CO-RE relocations against a kernel module's BTF (module_btf.bpf.c, the tun driver's
 * {@code struct tun_file}). Where tun is a module with BTF (loaded by modprobe), the relocated
 * offsets and size are the module BTF's and, with kprobes, a probe on the module's
 * tun_chr_close follows a descriptor's tun_file back to its file; where tun is built in, the
 * same relocations resolve against vmlinux. {@link KernelProbes#moduleBtf} decides.
 */
@KernelTest
class ModuleBtfTest {
    private static final int OPENS = 4;

    @TestFactory
    Stream<DynamicTest> coreAgainstModuleBtf() {
        return Stream.of(KernelProbes.branch("CO-RE relocations of struct tun_file against the tun module's BTF",
                KernelProbes.moduleBtf("tun"), ModuleBtfTest::relocatesAgainstTheModule,
                ModuleBtfTest::relocatesAgainstVmlinuxOrRefuses));
    }

    private static void relocatesAgainstTheModule() {
        Btf tun = KernelBtf.modules().get("tun");
        assertTrue(tun != null, "tun's BTF is published: " + KernelBtf.modules().keySet());
        assertTrue(KernelBtf.vmlinux().find("tun_file", BtfKind.STRUCT).isEmpty(), "vmlinux has no tun_file");
        BtfType.Struct tunFile = (BtfType.Struct) tun.find("tun_file", BtfKind.STRUCT).orElseThrow();
        try (LoadedObject obj = BpfLoader.load(TestObjects.openForThisProcess("module_btf.bpf.o"));
             BpfGlobals bss = BpfMaps.globals(obj, ".bss")) {
            assertLayout(obj, bss, tunFile);
            if (!KernelProbes.kprobes().present()) {
                System.out.println("no kprobes: tun_chr_close is not probed (" + KernelProbes.kprobes().detail() + ")");
                return;
            }
            obj.own(AutoAttach.attach(obj.program("on_tun_close").orElseThrow()));
            for (int i = 0; i < OPENS; i++) {
                Fd fd = Syscalls.open("/dev/net/tun", Syscalls.O_RDWR | Syscalls.O_CLOEXEC, 0, "tun");
                fd.close();
            }
            assertEquals(OPENS, bss.getLong("closes"), "one tun_chr_close per descriptor closed");
            assertEquals(OPENS, bss.getLong("matched"), "each tun_file's socket.file is the closed file");
        }
    }

    private static void relocatesAgainstVmlinuxOrRefuses() {
        Optional<BtfType> builtIn = KernelBtf.vmlinux().find("tun_file", BtfKind.STRUCT);
        if (builtIn.isPresent()) {
            try (LoadedObject obj = BpfLoader.load(TestObjects.openForThisProcess("module_btf.bpf.o"));
                 BpfGlobals bss = BpfMaps.globals(obj, ".bss")) {
                assertLayout(obj, bss, (BtfType.Struct) builtIn.get());
            }
        } else {
            BpfException e = assertThrows(BpfException.class,
                    () -> BpfLoader.load(TestObjects.openForThisProcess("module_btf.bpf.o")).close());
            assertTrue(e.getMessage().contains("tun_file"), e.getMessage());
        }
    }

    /** The relocated layout equals the one in the kernel's BTF, read by bpfkit's BTF parser. */
    private static void assertLayout(LoadedObject obj, BpfGlobals bss, BtfType.Struct tunFile) {
        assertEquals(0, Bpf.progTestRun(obj.program("tun_layout").orElseThrow().fd(), TestRunAttr.NONE).retval());
        assertEquals(memberOffset(tunFile, "socket"), bss.getLong("socket_offset"), "offsetof(tun_file, socket)");
        assertEquals(tunFile.size(), bss.getLong("tun_file_size"), "sizeof(struct tun_file)");
        BtfType.Struct socket = (BtfType.Struct) KernelBtf.vmlinux().find("socket", BtfKind.STRUCT).orElseThrow();
        assertEquals(memberOffset(socket, "file"), bss.getLong("file_offset"), "offsetof(socket, file)");
        assertTrue(bss.getLong("socket_offset") > 0, "socket follows struct sock in tun_file");
    }

    private static long memberOffset(BtfType.Struct s, String member) {
        return s.members().stream().filter(m -> m.name().equals(member)).findFirst()
                .orElseThrow(() -> new AssertionError(s.name() + " has no member " + member)).bitOffset() / 8;
    }
}
