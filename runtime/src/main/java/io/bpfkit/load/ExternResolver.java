package io.bpfkit.load;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.LoadException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfType;
import io.bpfkit.core.CoreTarget;
import io.bpfkit.core.CoreTypes;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.GlobalVariable;
import io.bpfkit.object.MapSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Resolves an object's externs against the running kernel, as libbpf's
 * {@code bpf_object__resolve_externs}: {@code .kconfig} values into the kconfig map's bytes,
 * typeless {@code .ksyms} to addresses from {@code /proc/kallsyms}, typed ksyms and kfuncs to
 * ids in the kernel's (or a module's) BTF. A weak extern that cannot be resolved is zero; a
 * strong one is an error.
 */
final class ExternResolver {
    /** libbpf's base for poisoned calls of unresolved weak kfuncs: the extern's index is added. */
    static final int POISON_KFUNC_BASE = 2002000000;
    private static final Path KALLSYMS = Path.of("/proc/kallsyms");

    /** How one ksym resolved. */
    record Ksym(Kind kind, long address, int btfId, String module, int index) {
        enum Kind {
            /** A typeless ksym, or a weak one not found: the address (0 when not found). */
            ADDRESS,
            /** A typed variable: BPF_PSEUDO_BTF_ID. */
            BTF_VAR,
            /** A kfunc: BPF_PSEUDO_KFUNC_CALL. */
            KFUNC,
            /** A weak kfunc the kernel does not have: its call is poisoned. */
            MISSING_KFUNC
        }
    }

    private final BpfObjectSpec spec;
    private final Supplier<CoreTarget> target;
    private final Supplier<KernelConfig> config;

    ExternResolver(BpfObjectSpec spec, Supplier<CoreTarget> target, Supplier<KernelConfig> config) {
        this.spec = spec;
        this.target = target;
        this.config = config;
    }

    // ------------------------------------------------------------------ .kconfig

    private enum KcfgType {
        BOOL, TRISTATE, CHAR, INT, CHAR_ARRAY, UNKNOWN
    }

    /** libbpf's find_kcfg_type over the object's BTF. */
    private static KcfgType kcfgType(Btf btf, int id, boolean[] signed) {
        BtfType t = btf.type(btf.skipModifiersAndTypedefs(id));
        switch (t) {
            case BtfType.Int i -> {
                if (i.isBool()) {
                    return i.size() == 1 ? KcfgType.BOOL : KcfgType.UNKNOWN;
                }
                if (signed != null) {
                    signed[0] = i.isSigned();
                }
                if (i.size() == 1) {
                    return KcfgType.CHAR;
                }
                long s = i.size();
                return s < 1 || s > 8 || (s & (s - 1)) != 0 ? KcfgType.UNKNOWN : KcfgType.INT;
            }
            case BtfType.Enumeration e -> {
                if (!e.name().equals("libbpf_tristate") || (e instanceof BtfType.Enum && e.size() != 4)) {
                    return KcfgType.UNKNOWN;
                }
                return KcfgType.TRISTATE;
            }
            case BtfType.Array a -> {
                return a.elements() > 0 && kcfgType(btf, a.type(), null) == KcfgType.CHAR
                        ? KcfgType.CHAR_ARRAY : KcfgType.UNKNOWN;
            }
            default -> {
                return KcfgType.UNKNOWN;
            }
        }
    }

    /** The initial bytes of the {@code .kconfig} map. */
    byte[] kconfigData(MapSpec kconfig) {
        Btf btf = spec.btf().orElseThrow();
        byte[] data = new byte[(int) kconfig.valueSize()];
        ByteBuffer buf = ByteBuffer.wrap(data).order(spec.byteOrder());
        KernelConfig cfg = null;
        boolean cfgRead = false;
        for (GlobalVariable v : kconfig.variables()) {
            String what = "extern (kconfig) '" + v.name() + "'";
            boolean weak = v.linkage().contains("weak");
            boolean[] signed = new boolean[1];
            KcfgType type = kcfgType(btf, v.typeId(), signed);
            if (v.name().startsWith("CONFIG_")) {
                if (!cfgRead) {
                    cfg = config.get();
                    cfgRead = true;
                }
                String value = cfg == null ? null : cfg.value(v.name());
                if (value == null) {
                    if (!weak) {
                        throw new LoadException(what, cfg == null
                                ? "is strong, but the kernel config is not readable (" + KernelConfig.places()
                                        + "); declare it __weak to default to 0"
                                : "is strong, but " + cfg.source() + " does not set it; declare it __weak to default to 0");
                    }
                    continue;
                }
                setConfigValue(what, type, signed[0], v, value, buf);
            } else if (v.name().equals("LINUX_KERNEL_VERSION")) {
                int code = KernelConfig.versionCode();
                if (code == 0) {
                    throw new LoadException(what, "cannot tell the kernel's version from uname");
                }
                setNumber(what, type, signed[0], v, Integer.toUnsignedLong(code), buf);
            } else if (v.name().equals("LINUX_HAS_BPF_COOKIE") || v.name().equals("LINUX_HAS_SYSCALL_WRAPPER")) {
                // Both true on every kernel bpfkit loads into (5.15+, x86-64 and arm64 wrap syscalls).
                setNumber(what, type, signed[0], v, 1, buf);
            } else if (!v.name().startsWith("LINUX_") || !weak) {
                throw new LoadException(what, "is not a CONFIG_ option nor a LINUX_ value libbpf defines"
                        + " (LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE, LINUX_HAS_SYSCALL_WRAPPER)");
            }
        }
        return data;
    }

    private static void setConfigValue(String what, KcfgType type, boolean signed, GlobalVariable v, String value,
                                       ByteBuffer buf) {
        int at = (int) v.offset();
        char c = value.charAt(0);
        if (value.length() == 1 && (c == 'y' || c == 'n' || c == 'm')) {
            switch (type) {
                case BOOL -> {
                    if (c == 'm') {
                        throw new LoadException(what, "is _Bool, but the kernel has 'm' (declare it enum libbpf_tristate)");
                    }
                    buf.put(at, (byte) (c == 'y' ? 1 : 0));
                }
                case TRISTATE -> buf.putInt(at, c == 'y' ? 1 : c == 'm' ? 2 : 0);
                case CHAR -> buf.put(at, (byte) c);
                default -> throw new LoadException(what, "has value '" + c + "', which needs a bool, tristate or char");
            }
            return;
        }
        if (c == '"') {
            if (type != KcfgType.CHAR_ARRAY) {
                throw new LoadException(what, "has string value " + value + ", which needs a char array");
            }
            if (value.length() < 2 || !value.endsWith("\"")) {
                throw new LoadException(what, "has malformed string value " + value);
            }
            byte[] s = value.substring(1, value.length() - 1).getBytes(StandardCharsets.UTF_8);
            int len = (int) Math.min(s.length, v.size() - 1);
            buf.put(at, s, 0, len);
            buf.put(at + len, (byte) 0);
            return;
        }
        long num;
        try {
            num = parseU64(value);
        } catch (NumberFormatException e) {
            throw new LoadException(what, "has value '" + value + "', which is not an integer");
        }
        if (type != KcfgType.INT && type != KcfgType.CHAR) {
            throw new LoadException(what, "has integer value " + value + ", which needs an integer type");
        }
        setNumber(what, type, signed, v, num, buf);
    }

    /** strtoull with base 0: decimal, 0x hex or 0 octal; a leading minus wraps as in C. */
    static long parseU64(String s) {
        boolean neg = s.startsWith("-");
        String t = neg || s.startsWith("+") ? s.substring(1) : s;
        long v;
        if (t.startsWith("0x") || t.startsWith("0X")) {
            v = Long.parseUnsignedLong(t.substring(2), 16);
        } else if (t.length() > 1 && t.startsWith("0")) {
            v = Long.parseUnsignedLong(t.substring(1), 8);
        } else {
            v = Long.parseUnsignedLong(t);
        }
        return neg ? -v : v;
    }

    private static void setNumber(String what, KcfgType type, boolean signed, GlobalVariable v, long value,
                                  ByteBuffer buf) {
        if (type != KcfgType.INT && type != KcfgType.CHAR && type != KcfgType.BOOL) {
            throw new LoadException(what, "gets integer value " + Long.toUnsignedString(value)
                    + ", which needs an integer, char or bool type");
        }
        if (type == KcfgType.BOOL && Long.compareUnsigned(value, 1) > 0) {
            throw new LoadException(what, "is _Bool, but the value is " + Long.toUnsignedString(value));
        }
        int bits = (int) v.size() * 8;
        boolean fits = bits == 64 || (signed ? Long.compareUnsigned(value + (1L << (bits - 1)), 1L << bits) < 0
                : value >>> bits == 0);
        if (!fits) {
            throw new LoadException(what, "value " + Long.toUnsignedString(value) + " does not fit in " + v.size()
                    + " bytes");
        }
        int at = (int) v.offset();
        switch ((int) v.size()) {
            case 1 -> buf.put(at, (byte) value);
            case 2 -> buf.putShort(at, (short) value);
            case 4 -> buf.putInt(at, (int) value);
            case 8 -> buf.putLong(at, value);
            default -> throw new LoadException(what, "has size " + v.size() + "; an integer must be 1, 2, 4 or 8 bytes");
        }
    }

    // ------------------------------------------------------------------ .ksyms

    /** Every {@code .ksyms} extern, resolved, by name. */
    Map<String, Ksym> ksyms() {
        Btf btf = spec.btf().orElse(null);
        Map<String, Ksym> out = new HashMap<>();
        List<GlobalVariable> externs = spec.externs();
        Map<String, Integer> typeless = new HashMap<>();
        for (int i = 0; i < externs.size(); i++) {
            GlobalVariable v = externs.get(i);
            if (!v.section().equals(".ksyms")) {
                continue;
            }
            boolean weak = v.linkage().contains("weak");
            String what = "extern (ksym) '" + v.name() + "'";
            if (btf.kind(v.typeId()) == BtfKind.FUNC) {
                out.put(v.name(), kfunc(what, btf, v, weak, i));
            } else if (btf.skipModifiersAndTypedefs(v.typeId()) == 0) {
                typeless.put(v.name(), i);
            } else {
                out.put(v.name(), typedVar(what, btf, v, weak, i));
            }
        }
        if (!typeless.isEmpty()) {
            Map<String, Long> addrs = kallsyms(typeless.keySet());
            for (Map.Entry<String, Integer> e : typeless.entrySet()) {
                GlobalVariable v = externs.get(e.getValue());
                Long a = addrs.get(e.getKey());
                if (a == null && !v.linkage().contains("weak")) {
                    throw new LoadException("extern (ksym) '" + v.name() + "'", "is strong, but " + KALLSYMS
                            + " has no such symbol (data symbols need CONFIG_KALLSYMS_ALL); declare it __weak"
                            + " to default to 0");
                }
                out.put(v.name(), new Ksym(Ksym.Kind.ADDRESS, a == null ? 0 : a, 0, null, e.getValue()));
            }
        }
        return out;
    }

    private record Found(Btf btf, int id, String module) {
    }

    /** libbpf's find_ksym_btf_id: the base first, then each module's own types. */
    private Found findKernel(String name, BtfKind kind) {
        CoreTarget t = target.get();
        var id = t.base().findId(name, kind);
        if (id.isPresent()) {
            return new Found(t.base(), id.getAsInt(), null);
        }
        for (Map.Entry<String, Btf> m : t.modules().entrySet()) {
            for (int candidate : m.getValue().localIdsNamed(name)) {
                if (m.getValue().kind(candidate) == kind) {
                    return new Found(m.getValue(), candidate, m.getKey());
                }
            }
        }
        return null;
    }

    private Ksym typedVar(String what, Btf btf, GlobalVariable v, boolean weak, int index) {
        Found f = findKernel(v.name(), BtfKind.VAR);
        if (f == null) {
            if (weak) {
                return new Ksym(Ksym.Kind.ADDRESS, 0, 0, null, index);
            }
            throw new LoadException(what, "is not a variable in the kernel's BTF (nor a module's)");
        }
        int targType = ((BtfType.Var) f.btf().type(f.id())).type();
        if (!CoreTypes.compatible(btf, v.typeId(), f.btf(), targType)) {
            throw new LoadException(what, "has type " + v.type() + ", incompatible with the kernel's ["
                    + targType + "] " + f.btf().kind(f.btf().skipModifiersAndTypedefs(targType)).label() + " "
                    + f.btf().name(f.btf().skipModifiersAndTypedefs(targType)));
        }
        return new Ksym(Ksym.Kind.BTF_VAR, 0, f.id(), f.module(), index);
    }

    private Ksym kfunc(String what, Btf btf, GlobalVariable v, boolean weak, int index) {
        String name = v.name();
        // A kfunc declared under a flavored name (bpf_foo___v2) is the kernel's bpf_foo.
        String essential = io.bpfkit.core.CoreNames.essential(name);
        Found f = findKernel(essential, BtfKind.FUNC);
        if (f == null) {
            if (weak) {
                return new Ksym(Ksym.Kind.MISSING_KFUNC, 0, 0, null, index);
            }
            throw new LoadException(what, "is not a kfunc in the kernel's BTF (nor a module's)");
        }
        int localProto = ((BtfType.Func) btf.type(v.typeId())).type();
        int kernProto = ((BtfType.Func) f.btf().type(f.id())).type();
        if (!CoreTypes.compatible(btf, localProto, f.btf(), kernProto)) {
            if (weak) {
                return new Ksym(Ksym.Kind.MISSING_KFUNC, 0, 0, null, index);
            }
            throw new LoadException(what, "has a prototype incompatible with the kernel's (" + (f.module() == null
                    ? "vmlinux" : f.module()) + " func_proto [" + kernProto + "]): check the declaration's"
                    + " parameter and return types");
        }
        return new Ksym(Ksym.Kind.KFUNC, 0, f.id(), f.module(), index);
    }

    /** Addresses of the wanted symbols in /proc/kallsyms; a name with two addresses is ambiguous. */
    static Map<String, Long> kallsyms(java.util.Set<String> wanted) {
        Map<String, Long> out = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(KALLSYMS, StandardCharsets.US_ASCII)) {
            String line;
            while ((line = r.readLine()) != null) {
                int s1 = line.indexOf(' ');
                int s2 = s1 < 0 ? -1 : line.indexOf(' ', s1 + 1);
                if (s2 < 0) {
                    continue;
                }
                int end = line.indexOf('\t', s2 + 1);
                String name = line.substring(s2 + 1, end < 0 ? line.length() : end);
                char type = line.charAt(s1 + 1);
                int llvm = name.indexOf(".llvm.");
                if (type == 'd' && llvm > 0) {
                    name = name.substring(0, llvm);
                }
                if (!wanted.contains(name)) {
                    continue;
                }
                long addr = Long.parseUnsignedLong(line.substring(0, s1), 16);
                Long prev = out.putIfAbsent(name, addr);
                if (prev != null && prev != addr) {
                    throw new LoadException("extern (ksym) '" + name + "'", "is ambiguous: " + KALLSYMS
                            + " lists it at 0x" + Long.toHexString(prev) + " and 0x" + Long.toHexString(addr));
                }
            }
        } catch (IOException e) {
            throw new BpfException("cannot read " + KALLSYMS + ": " + e.getMessage(), e);
        }
        return out;
    }
}
