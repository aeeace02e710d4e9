package io.bpfkit.testing;

import io.bpfkit.netlink.NetlinkMessage;
import io.bpfkit.netlink.Rtnetlink;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs test code in a network namespace of its own: a new platform thread unshares its network
 * namespace ({@code unshare(CLONE_NEWNET)} affects only the calling thread), brings up that
 * namespace's {@code lo} (ifindex 1) and runs the code there. Sockets, netlink requests,
 * interface indexes and child processes ({@code tc}, {@code ip}) of that thread all see the new
 * namespace; nothing another test (or process) does on the machine's {@code lo} collides with
 * it, and the namespace disappears with the thread.
 */
@SuppressWarnings("restricted") // unshare(2) from libc, as a C test would
public final class NetNamespace {
    /** The loopback interface's index in every network namespace. */
    public static final int LO = 1;

    private static final int CLONE_NEWNET = 0x40000000;
    private static final int IFF_UP = 0x1;
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement
            .groupElement("errno"));
    private static final MethodHandle UNSHARE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("unshare").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"));

    private NetNamespace() {
    }

    /** Code that runs in the namespace. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} on a thread in a new network namespace whose {@code lo} is up; rethrows what it throws. */
    public static void run(Body body) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-test").start(() -> {
            try {
                enterNew();
                setUp(LO);
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join();
        Throwable e = failure.get();
        if (e instanceof Exception x) {
            throw x;
        }
        if (e instanceof Error x) {
            throw x;
        }
    }

    private static void enterNew() throws Throwable {
        MemorySegment state = java.lang.foreign.Arena.ofAuto().allocate(CAPTURE);
        int r = (int) UNSHARE.invokeExact(state, CLONE_NEWNET);
        if (r != 0) {
            throw new IllegalStateException("unshare(CLONE_NEWNET) failed: errno " + (int) ERRNO.get(state, 0L));
        }
    }

    /** RTM_NEWLINK setting IFF_UP on interface {@code ifindex}, as {@code ip link set dev X up}. */
    public static void setUp(int ifindex) {
        try (Rtnetlink nl = Rtnetlink.open()) {
            nl.request(NetlinkMessage.of(Rtnetlink.RTM_NEWLINK, 0).u8(0).u8(0).u16(0).s32(ifindex).u32(IFF_UP)
                    .u32(IFF_UP), "RTM_NEWLINK (ifindex " + ifindex + " up)", null);
        }
    }
}
