package io.bpfkit.usdt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The value bpfkit puts in {@code __bpf_usdt_specs} for one probe site, laid out as libbpf's
 * {@code usdt.bpf.h} declares {@code struct __bpf_usdt_spec}: twelve 16-byte argument specs
 * ({@code val_off} u64, {@code arg_type} enum, {@code reg_off} short, {@code arg_signed} bool,
 * {@code arg_bitshift} char), the user's cookie (u64), the argument count (short); 208 bytes.
 *
 * <pre>{@code
 * byte[] value = UsdtSpec.encode(UsdtArguments.parse("-4@%eax", UsdtArch.X86_64, "p:n"), 42, ByteOrder.LITTLE_ENDIAN);
 * }</pre>
 */
public final class UsdtSpec {
    /** {@code sizeof(struct __bpf_usdt_arg_spec)}. */
    public static final int ARG_SIZE = 16;
    /** {@code sizeof(struct __bpf_usdt_spec)}. */
    public static final int SIZE = 208;
    private static final int COOKIE_OFFSET = ARG_SIZE * UsdtArguments.MAX_ARGUMENTS;
    private static final int COUNT_OFFSET = COOKIE_OFFSET + 8;

    private UsdtSpec() {
    }

    /** The spec value of a probe with arguments {@code args} attached with {@code cookie}. */
    public static byte[] encode(List<UsdtArgument> args, long cookie, ByteOrder order) {
        if (args.size() > UsdtArguments.MAX_ARGUMENTS) {
            throw new IllegalArgumentException(args.size() + " USDT arguments; usdt.bpf.h reads at most "
                    + UsdtArguments.MAX_ARGUMENTS);
        }
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(order);
        for (int i = 0; i < args.size(); i++) {
            UsdtArgument a = args.get(i);
            int at = i * ARG_SIZE;
            b.putLong(at, a.value());
            b.putInt(at + 8, a.kind().ordinal());
            b.putShort(at + 12, (short) a.registerOffset());
            b.put(at + 14, (byte) (a.signed() ? 1 : 0));
            b.put(at + 15, (byte) a.bitShift());
        }
        b.putLong(COOKIE_OFFSET, cookie);
        b.putShort(COUNT_OFFSET, (short) args.size());
        return b.array();
    }
}
