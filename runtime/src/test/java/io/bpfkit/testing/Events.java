package io.bpfkit.testing;

import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedMap;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.sys.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The events.bpf.o fixture loaded for this process (target_tgid = our pid, getppid_nr = this
 * machine's getppid number), with readers for its counters, and native calls that trigger its
 * programs.
 */
@SuppressWarnings("restricted") // calls libc and our test library directly, as a C test would
public final class Events {
    /** Index into {@code counts}, see events.bpf.c. */
    public static final int TP = 0, RAW_TP = 1, TP_BTF = 2, UPROBE = 3, URETPROBE = 4, UPROBE_MULTI = 5,
            URETPROBE_MULTI = 6, PERF = 7, SOCKET = 8, XDP = 9, TCX_IN = 10, TCX_OUT = 11, SOCK_CREATE = 12,
            CONNECT4 = 13, ITER = 14;

    private static final MethodHandle GETPPID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getppid").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT));

    private Events() {
    }

    /** events.bpf.o with target_tgid set to this process and getppid_nr to this machine's number. */
    public static BpfObjectSpec spec() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("events.bpf.o"));
        byte[] pid = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(Syscalls.getpid()).array();
        spec.dataMap(".rodata").orElseThrow().setVariable("target_tgid", pid);
        byte[] nr = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(SyscallNumbers.of("getppid")).array();
        spec.dataMap(".rodata").orElseThrow().setVariable("getppid_nr", nr);
        return spec;
    }

    /** {@link #spec()} with the network programs counting UDP packets to {@code port}. */
    public static BpfObjectSpec spec(int udpPort) {
        BpfObjectSpec spec = spec();
        byte[] port = ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) udpPort).array();
        spec.dataMap(".rodata").orElseThrow().setVariable("udp_port", port);
        return spec;
    }

    public static LoadedObject load() {
        return BpfLoader.load(spec());
    }

    public static LoadedProgram program(LoadedObject obj, String name) {
        return obj.program(name).orElseThrow();
    }

    /** counts[index] of .bss. */
    public static long count(LoadedObject obj, int index) {
        return bss(obj).get(ValueLayout.JAVA_LONG, offset(obj, "counts") + 8L * index);
    }

    /** last_ret of .bss. */
    public static long lastRet(LoadedObject obj) {
        return bss(obj).get(ValueLayout.JAVA_LONG, offset(obj, "last_ret"));
    }

    private static long offset(LoadedObject obj, String variable) {
        return bssMap(obj).spec().variable(variable).orElseThrow().offset();
    }

    private static LoadedMap bssMap(LoadedObject obj) {
        return obj.maps().values().stream().filter(x -> x.name().endsWith(".bss")).findFirst().orElseThrow();
    }

    private static MemorySegment bss(LoadedObject obj) {
        LoadedMap m = bssMap(obj);
        Arena arena = Arena.ofAuto();
        MemorySegment k = arena.allocate(ValueLayout.JAVA_INT);
        MemorySegment v = arena.allocate(m.spec().valueSize());
        if (!MapCalls.of(m.fd()).lookup(k, v)) {
            throw new IllegalStateException("no .bss element");
        }
        return v;
    }

    /** Calls getppid(2) through libc {@code n} times. */
    public static void getppid(int n) {
        try {
            for (int i = 0; i < n; i++) {
                int ignored = (int) GETPPID.invokeExact();
            }
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
