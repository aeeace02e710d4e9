package io.bpfkit.usdt;

import io.bpfkit.api.ObjectFormatException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a probe's argument string, as {@code sys/sdt.h} writes it into the note: arguments
 * separated by spaces, each {@code SIZE@LOCATION} where a negative size means signed.
 *
 * <ul>
 *   <li>x86-64: {@code -4@$5} (constant), {@code 8@%rax} (register, any alias), {@code -4@-20(%rbp)}
 *       and {@code 8@(%rsp)} (memory at a register plus an offset);</li>
 *   <li>arm64: {@code 4@5} (constant), {@code -8@x4} (register), {@code -4@[sp, 96]} and
 *       {@code 8@[x0]} (memory).</li>
 * </ul>
 *
 * <pre>{@code
 * List<UsdtArgument> args = UsdtArguments.parse("-4@%eax 8@-16(%rbp)", UsdtArch.X86_64, "demo:probe");
 * }</pre>
 *
 * Anything else, including x86 scale-index-base operands ({@code 1@-96(%rbp,%rax,8)}, which
 * libbpf 1.1's {@code usdt.bpf.h} cannot read and only libbpf 1.7 can), is an {@link ObjectFormatException} naming the
 * probe, the argument and what is wrong.
 */
public final class UsdtArguments {
    /** {@code BPF_USDT_MAX_ARG_CNT} of {@code usdt.bpf.h}. */
    public static final int MAX_ARGUMENTS = 12;

    private UsdtArguments() {
    }

    /**
     * The arguments of probe {@code probe} (a label for errors, e.g. {@code hotspot:gc__begin})
     * whose note says {@code spec}.
     *
     * @throws ObjectFormatException when an argument is malformed, names an unknown register or
     *     has an unsupported size, or there are more than {@value #MAX_ARGUMENTS}
     */
    public static List<UsdtArgument> parse(String spec, UsdtArch arch, String probe) {
        List<UsdtArgument> out = new ArrayList<>();
        String s = spec.strip();
        if (s.isEmpty() || s.startsWith(":")) {
            return List.of();
        }
        for (String arg : s.split("\\s+(?![^\\[\\(]*[\\]\\)])")) {
            if (out.size() == MAX_ARGUMENTS) {
                throw error(probe, spec, out.size(), arg, "more than " + MAX_ARGUMENTS + " arguments ("
                        + "usdt.bpf.h reads at most " + MAX_ARGUMENTS + ")");
            }
            out.add(parseOne(arg, arch, probe, spec, out.size()));
        }
        return List.copyOf(out);
    }

    private static UsdtArgument parseOne(String arg, UsdtArch arch, String probe, String spec, int index) {
        int at = arg.indexOf('@');
        if (at <= 0) {
            throw error(probe, spec, index, arg, "expected SIZE@LOCATION");
        }
        int size;
        try {
            size = Integer.parseInt(arg.substring(0, at));
        } catch (NumberFormatException e) {
            throw error(probe, spec, index, arg, "size '" + arg.substring(0, at) + "' is not a number");
        }
        boolean signed = size < 0;
        int bytes = Math.abs(size);
        if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8) {
            throw error(probe, spec, index, arg, "size " + size + " is not 1, 2, 4 or 8 bytes");
        }
        String loc = arg.substring(at + 1);
        if (loc.isEmpty()) {
            throw error(probe, spec, index, arg, "no location after '@'");
        }
        return switch (arch) {
            case X86_64 -> x86(loc, bytes, signed, arch, probe, spec, index, arg);
            case ARM64 -> arm64(loc, bytes, signed, arch, probe, spec, index, arg);
        };
    }

    private static UsdtArgument x86(String loc, int size, boolean signed, UsdtArch arch, String probe, String spec,
            int index, String arg) {
        if (loc.startsWith("$")) {
            return new UsdtArgument(size, signed, UsdtArgument.Kind.CONSTANT, null, 0,
                    number(loc.substring(1), probe, spec, index, arg));
        }
        if (loc.startsWith("%")) {
            String reg = loc.substring(1);
            return new UsdtArgument(size, signed, UsdtArgument.Kind.REGISTER, reg,
                    register(reg, arch, probe, spec, index, arg), 0);
        }
        int open = loc.indexOf('(');
        if (open < 0 || !loc.endsWith(")")) {
            throw error(probe, spec, index, arg, "expected $CONSTANT, %REGISTER or OFFSET(%REGISTER)");
        }
        long offset = open == 0 ? 0 : number(loc.substring(0, open), probe, spec, index, arg);
        String inner = loc.substring(open + 1, loc.length() - 1).strip();
        if (inner.contains(",")) {
            throw error(probe, spec, index, arg, "scale-index-base operands are not supported (libbpf 1.1's "
                    + "usdt.bpf.h has no argument type for them, and bpfkit does not write libbpf 1.7's)");
        }
        if (!inner.startsWith("%")) {
            throw error(probe, spec, index, arg, "expected a %REGISTER inside the parentheses");
        }
        String reg = inner.substring(1);
        return new UsdtArgument(size, signed, UsdtArgument.Kind.MEMORY, reg, register(reg, arch, probe, spec, index,
                arg), offset);
    }

    private static UsdtArgument arm64(String loc, int size, boolean signed, UsdtArch arch, String probe, String spec,
            int index, String arg) {
        if (loc.startsWith("[")) {
            if (!loc.endsWith("]")) {
                throw error(probe, spec, index, arg, "expected [REGISTER] or [REGISTER, OFFSET]");
            }
            String inner = loc.substring(1, loc.length() - 1);
            int comma = inner.indexOf(',');
            String reg = (comma < 0 ? inner : inner.substring(0, comma)).strip();
            long offset = comma < 0 ? 0 : number(inner.substring(comma + 1).strip(), probe, spec, index, arg);
            return new UsdtArgument(size, signed, UsdtArgument.Kind.MEMORY, reg,
                    register(reg, arch, probe, spec, index, arg), offset);
        }
        char c = loc.charAt(0);
        if (c == '-' || Character.isDigit(c)) {
            return new UsdtArgument(size, signed, UsdtArgument.Kind.CONSTANT, null, 0,
                    number(loc, probe, spec, index, arg));
        }
        return new UsdtArgument(size, signed, UsdtArgument.Kind.REGISTER, loc,
                register(loc, arch, probe, spec, index, arg), 0);
    }

    private static int register(String name, UsdtArch arch, String probe, String spec, int index, String arg) {
        int off = arch.registerOffset(name);
        if (off < 0) {
            throw error(probe, spec, index, arg, "unknown " + arch.name().toLowerCase(java.util.Locale.ROOT)
                    + " register '" + name + "'");
        }
        return off;
    }

    private static long number(String text, String probe, String spec, int index, String arg) {
        String t = text.strip();
        boolean negative = t.startsWith("-");
        String digits = negative || t.startsWith("+") ? t.substring(1) : t;
        try {
            long v = digits.startsWith("0x") || digits.startsWith("0X") ? Long.parseUnsignedLong(digits.substring(2), 16)
                    : Long.parseLong(digits);
            if (digits.startsWith("-") || digits.startsWith("+")) {
                throw new NumberFormatException();
            }
            return negative ? -v : v;
        } catch (NumberFormatException e) {
            throw error(probe, spec, index, arg, "'" + text + "' is not a number");
        }
    }

    private static ObjectFormatException error(String probe, String spec, int index, String arg, String problem) {
        return new ObjectFormatException(".note.stapsdt", -1, "USDT probe " + probe + ", argument #" + index
                + " '" + arg + "' of '" + spec + "': " + problem);
    }
}
