package io.bpfkit.usdt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The value bpfkit puts in {@code __bpf_usdt_specs} for one probe site, laid out as libbpf's
 * {@code usdt.bpf.h} declares {@code struct __bpf_usdt_spec}: twelve argument specs, the user's
 * cookie (u64), the argument count (short). The argument spec has two layouts, told apart by the
 * map's value size ({@link Layout#forValueSize}):
 *
 * <ul>
 *   <li>{@link Layout#LIBBPF_1_1} (libbpf up to 1.6, Debian's libbpf-dev 1.1): 16 bytes,
 *       {@code val_off} u64, {@code arg_type} enum (4 bytes), {@code reg_off} short,
 *       {@code arg_signed} bool, {@code arg_bitshift} char; 208 bytes in all;</li>
 *   <li>{@link Layout#LIBBPF_1_7}: 24 bytes, {@code arg_type} an 8-bit bit field followed by the
 *       index register fields, so that {@code reg_off} moves to offset 14, {@code arg_signed}
 *       to 16 and {@code arg_bitshift} to 17; 304 bytes in all.</li>
 * </ul>
 *
 * <pre>{@code
 * byte[] value = UsdtSpec.encode(UsdtArguments.parse("-4@%eax", UsdtArch.X86_64, "p:n"), 42,
 *         ByteOrder.LITTLE_ENDIAN, UsdtSpec.Layout.LIBBPF_1_1);
 * }</pre>
 */
public final class UsdtSpec {

    /** The two layouts of {@code struct __bpf_usdt_spec} libbpf has had. */
    public enum Layout {
        /** libbpf 0.8 to 1.6. */
        LIBBPF_1_1(16, 12, 14, 15),
        /** libbpf 1.7, whose argument spec grew index register fields. */
        LIBBPF_1_7(24, 14, 16, 17);

        private final int argSize;
        private final int regOffAt;
        private final int signedAt;
        private final int shiftAt;

        Layout(int argSize, int regOffAt, int signedAt, int shiftAt) {
            this.argSize = argSize;
            this.regOffAt = regOffAt;
            this.signedAt = signedAt;
            this.shiftAt = shiftAt;
        }

        /** {@code sizeof(struct __bpf_usdt_arg_spec)}. */
        public int argSize() {
            return argSize;
        }

        /** {@code sizeof(struct __bpf_usdt_spec)}. */
        public int size() {
            return argSize * UsdtArguments.MAX_ARGUMENTS + 16;
        }

        /** The layout whose spec is {@code valueSize} bytes, or null. */
        public static Layout forValueSize(int valueSize) {
            for (Layout l : values()) {
                if (l.size() == valueSize) {
                    return l;
                }
            }
            return null;
        }
    }

    private UsdtSpec() {
    }

    /** The spec value of a probe with arguments {@code args} attached with {@code cookie}. */
    public static byte[] encode(List<UsdtArgument> args, long cookie, ByteOrder order, Layout layout) {
        if (args.size() > UsdtArguments.MAX_ARGUMENTS) {
            throw new IllegalArgumentException(args.size() + " USDT arguments; usdt.bpf.h reads at most "
                    + UsdtArguments.MAX_ARGUMENTS);
        }
        ByteBuffer b = ByteBuffer.allocate(layout.size()).order(order);
        for (int i = 0; i < args.size(); i++) {
            UsdtArgument a = args.get(i);
            int at = i * layout.argSize;
            b.putLong(at, a.value());
            if (layout == Layout.LIBBPF_1_1) {
                b.putInt(at + 8, a.kind().ordinal());
            } else {
                // an 8-bit bit field: the first byte on little endian, the last of its unit on big
                b.put(at + (order == ByteOrder.LITTLE_ENDIAN ? 8 : 11), (byte) a.kind().ordinal());
            }
            b.putShort(at + layout.regOffAt, (short) a.registerOffset());
            b.put(at + layout.signedAt, (byte) (a.signed() ? 1 : 0));
            b.put(at + layout.shiftAt, (byte) a.bitShift());
        }
        int cookieAt = layout.argSize * UsdtArguments.MAX_ARGUMENTS;
        b.putLong(cookieAt, cookie);
        b.putShort(cookieAt + 8, (short) args.size());
        return b.array();
    }
}
