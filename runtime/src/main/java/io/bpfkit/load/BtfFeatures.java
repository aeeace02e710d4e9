package io.bpfkit.load;

import io.bpfkit.btf.BtfKind;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.BtfLoadResult;
import io.bpfkit.sys.Errno;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Which parts of BTF the kernel accepts, found as libbpf finds them: by loading a tiny BTF blob
 * that uses the part and seeing whether the kernel takes it. The loader rewrites what the
 * kernel does not know (see {@link ObjectBtfSanitizer}) instead of failing on it.
 *
 * <pre>{@code
 * BtfFeatures f = BtfFeatures.running();      // probed once per process
 * if (!f.enum64()) { ... }                    // kernels before 6.0
 * }</pre>
 *
 * @param btf BTF at all (4.18); without it nothing else is probed and every other flag is false
 * @param func FUNC and FUNC_PROTO (5.0)
 * @param funcGlobal FUNC with global linkage (5.6)
 * @param datasec VAR and DATASEC (5.2)
 * @param floats FLOAT (5.13)
 * @param declTag DECL_TAG (5.16)
 * @param typeTag TYPE_TAG (5.17)
 * @param enum64 ENUM64 and signed ENUM (6.0)
 * @param qmarkDatasec DATASEC names starting with {@code ?} (newer kernels: 6.12 takes any printable name; libbpf's FEAT_BTF_QMARK_DATASEC)
 */
public record BtfFeatures(boolean btf, boolean func, boolean funcGlobal, boolean datasec, boolean floats,
                          boolean declTag, boolean typeTag, boolean enum64, boolean qmarkDatasec) {

    /** Every part: a current kernel. */
    public static final BtfFeatures ALL = new BtfFeatures(true, true, true, true, true, true, true, true, true);

    /** Whether the kernel accepts every part, so object BTF needs no rewriting of kinds. */
    public boolean all() {
        // Not equals(ALL): a record's equals is bootstrapped at its first call (ObjectMethods),
        // method-handle classes a JDK AOT cache does not keep, on every fresh process's load.
        return btf && func && funcGlobal && datasec && floats && declTag && typeTag && enum64 && qmarkDatasec;
    }

    private static volatile BtfFeatures running;

    /**
     * What the running kernel accepts, probed on first use and cached for the process.
     *
     * @throws io.bpfkit.api.KernelException when a probe is refused for a reason that says
     *     nothing about the feature (no privilege)
     */
    public static BtfFeatures running() {
        BtfFeatures f = running;
        if (f == null) {
            synchronized (BtfFeatures.class) {
                f = running;
                if (f == null) {
                    f = probe(0);
                    running = f;
                }
            }
        }
        return f;
    }

    private static final int INT = BtfKind.INT.code() << 24;
    /** A signed 32-bit int named by string offset {@code name}. */
    private static int[] int32(int name) {
        return new int[] {name, INT, 4, 1 << 24 | 32};
    }

    /**
     * What the kernel accepts from a holder of the BPF token {@code tokenFd} (0: none), probed
     * now. Inside a user namespace only a probe with the token can load BTF at all.
     */
    static BtfFeatures probe(int tokenFd) {
        if (!accepts(tokenFd, "\0int", int32(1))) {
            return new BtfFeatures(false, false, false, false, false, false, false, false, false);
        }
        return new BtfFeatures(true,
                accepts(tokenFd, "\0int\0x\0a", int32(1), proto(7), func(5, 2, 0)),
                accepts(tokenFd, "\0int\0x\0a", int32(1), proto(7), func(5, 2, 1)),
                accepts(tokenFd, "\0x\0.data", datasec(3)),
                accepts(tokenFd, "\0float", new int[] {1, BtfKind.FLOAT.code() << 24, 4}),
                accepts(tokenFd, "\0tag", int32(0), staticVar(1, 1),
                        new int[] {1, BtfKind.DECL_TAG.code() << 24, 2, -1}),
                accepts(tokenFd, "\0tag", int32(0), new int[] {1, BtfKind.TYPE_TAG.code() << 24, 1},
                        new int[] {0, BtfKind.PTR.code() << 24, 2}),
                accepts(tokenFd, "\0enum64", new int[] {1, BtfKind.ENUM64.code() << 24, 8}),
                accepts(tokenFd, "\0x\0?.data", datasec(3)));
    }

    /** {@code int (int a)}, the parameter named by string offset {@code paramName}. */
    private static int[] proto(int paramName) {
        return new int[] {0, BtfKind.FUNC_PROTO.code() << 24 | 1, 1, paramName, 1};
    }

    private static int[] func(int name, int proto, int linkage) {
        return new int[] {name, BtfKind.FUNC.code() << 24 | linkage, proto};
    }

    private static int[] staticVar(int name, int type) {
        return new int[] {name, BtfKind.VAR.code() << 24, type, 0};
    }

    /** {@code static int x;} in a section named at string offset {@code sectionName}. */
    private static int[][] datasec(int sectionName) {
        return new int[][] {int32(0), staticVar(1, 1),
                {sectionName, BtfKind.DATASEC.code() << 24 | 1, 4, 2, 0, 4}};
    }

    private static boolean accepts(int tokenFd, String strings, int[]... types) {
        return acceptsBlob(tokenFd, blob(strings, types));
    }

    private static boolean acceptsBlob(int tokenFd, byte[] blob) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(blob.length);
            MemorySegment.copy(MemorySegment.ofArray(blob), 0, data, 0, blob.length);
            BtfLoadResult r = Bpf.btfLoad(data, 0, null, tokenFd > 0 ? BpfFlags.BPF_F_TOKEN_FD : 0, tokenFd,
                    "feature probe");
            if (r.ok()) {
                r.fd().close();
                return true;
            }
            if (r.errno() == Errno.EPERM || r.errno() == Errno.EACCES) {
                throw r.exception();
            }
            return false;
        }
    }

    /** A raw little- or big-endian (host order) BTF blob: header, types, strings. */
    static byte[] blob(String strings, int[]... types) {
        int typeBytes = 0;
        for (int[] t : types) {
            typeBytes += 4 * t.length;
        }
        byte[] str = strings.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[24 + typeBytes + str.length + 1];
        MemorySegment s = MemorySegment.ofArray(out);
        ValueLayout.OfInt u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder()), 0, (short) 0xEB9F);
        s.set(ValueLayout.JAVA_BYTE, 2, (byte) 1);
        s.set(u32, 4, 24);
        s.set(u32, 8, 0);
        s.set(u32, 12, typeBytes);
        s.set(u32, 16, typeBytes);
        s.set(u32, 20, str.length + 1);
        int at = 24;
        for (int[] t : types) {
            for (int w : t) {
                s.set(u32, at, w);
                at += 4;
            }
        }
        System.arraycopy(str, 0, out, at, str.length);
        return out;
    }
}
