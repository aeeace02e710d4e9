package io.bpfkit.check;

import io.bpfkit.api.LoadException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfType;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.GlobalVariable;
import io.bpfkit.object.MapSpec;
import io.bpfkit.object.MapType;
import io.bpfkit.object.ProgramSpec;
import io.bpfkit.object.SectionDef;
import io.bpfkit.perfevent.PerfEventParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * Checks a binding interface's declarations against an opened object: every named map,
 * program, global and global data section exists; each map handle fits its map's type (and a
 * map of maps' inner handle its inner map template); key and value sizes match; records match
 * their BTF structs member by member (name, offset, size, signedness), ring buffer records the
 * struct of their name where BTF has it; globals have the variable's type; auto-attached
 * programs have a section that names a target; PMU counters sit in PERF_EVENT_ARRAY maps and
 * count events that can exist. The annotation processor reports the problems as
 * compile errors on the methods; a generated binding throws them when it opens an object the
 * processor did not see. Pure: no system call.
 *
 * <pre>{@code
 * List<Problem> problems = BindingCheck.check(spec, List.of(
 *         new Declared.Program("onExit", "on_exit", true)));
 * }</pre>
 */
public final class BindingCheck {
    private BindingCheck() {
    }

    /** Every problem, in declaration order; empty when the object fits. */
    public static List<Problem> check(BpfObjectSpec spec, List<? extends Declared> declared) {
        List<Problem> problems = new ArrayList<>();
        for (Declared d : declared) {
            switch (d) {
                case Declared.MapHandle m -> checkMap(spec, m, problems);
                case Declared.Program p -> checkProgram(spec, p, problems);
                case Declared.Global g -> checkGlobal(spec, g, problems);
                case Declared.Pmu p -> checkPmu(spec, p, problems);
            }
        }
        return problems;
    }

    /**
     * Throws when {@link #check} finds problems.
     *
     * @param binding the interface, for the message
     * @throws LoadException listing every problem, one per line
     */
    public static void requireValid(BpfObjectSpec spec, List<? extends Declared> declared, String binding) {
        List<Problem> problems = check(spec, declared);
        if (!problems.isEmpty()) {
            throw new LoadException(binding, "object '" + spec.name() + "' does not fit the interface:\n  "
                    + problems.stream().map(Problem::toString).collect(Collectors.joining("\n  ")));
        }
    }

    // ---- maps -----------------------------------------------------------------------------

    private static void checkMap(BpfObjectSpec spec, Declared.MapHandle m, List<Problem> out) {
        if (m.kind() == HandleKind.GLOBALS) {
            checkSection(spec, m, out);
            return;
        }
        Optional<MapSpec> found = spec.map(m.map());
        if (found.isEmpty() || found.get().isGlobalData()) {
            out.add(new Problem(m.method(), "value", "object '" + spec.name() + "' has no map '" + m.map()
                    + "'; its maps are " + mapNames(spec)));
            return;
        }
        MapSpec map = found.get();
        String what = "map '" + m.map() + "'";
        if (!checkHandle(spec, what, m.kind().handle(), map, m.kind(), m.key(), m.value(), m.method(), out)
                || m.inner() == null || map.innerMap() == null) {
            return; // an object without an inner map template fails at load, saying so
        }
        Declared.MapHandle.Inner inner = m.inner();
        checkHandle(spec, "the inner maps of " + what, "inner map handle " + inner.kind().handle(), map.innerMap(),
                inner.kind(), inner.key(), inner.value(), m.method(), out);
    }

    /**
     * Checks that a handle of {@code kind} with these Java types fits {@code map}; adds the
     * first problem and returns false when it does not.
     */
    private static boolean checkHandle(BpfObjectSpec spec, String what, String handle, MapSpec map, HandleKind kind,
            CType key, CType value, String method, List<Problem> out) {
        MapType type = map.mapType();
        if (type == null || !kind.fits(type)) {
            HandleKind right = type == null ? null : HandleKind.forMapType(type);
            out.add(new Problem(method, null, handle + " does not fit " + what + " (type " + typeName(map) + ")"
                    + (right == null ? ", which has no typed handle" : "; declare it as " + right.handle())));
            return false;
        }
        boolean typed = map.definition() == MapSpec.Definition.BTF || map.definition() == MapSpec.Definition.INNER;
        Btf btf = typed ? spec.btf().orElse(null) : null;
        int before = out.size();
        if (key != null) {
            long extra = kind == HandleKind.LPM_TRIE ? 4 : 0; // struct { __u32 prefixlen; data }
            String part = what + " key" + (extra > 0 ? " data (after __u32 prefixlen)" : "");
            if (key.size() + extra != map.keySize()) {
                out.add(new Problem(method, null, part + ": Java " + key.spelling() + " is " + key.size()
                        + " bytes, the object's is " + (map.keySize() - extra) + " bytes" + btfName(btf,
                        map.keyTypeId())));
            } else if (extra == 0 && btf != null && map.keyTypeId() != 0 && type != MapType.ARRAY_OF_MAPS) {
                // an array of maps indexed through BpfMapOfMaps: any 4-byte integer is an index
                compare(part, key, btf, map.keyTypeId(), method, out);
            }
        }
        if (value != null && kind.hasRecords()) {
            checkRecords(spec, what, value, method, out);
        } else if (value != null) {
            String part = what + " value";
            if (value.size() != map.valueSize()) {
                out.add(new Problem(method, null, part + ": Java " + value.spelling() + " is " + value.size()
                        + " bytes, the object's is " + map.valueSize() + " bytes" + btfName(btf, map.valueTypeId())));
            } else if (btf != null && map.valueTypeId() != 0) {
                compare(part, value, btf, map.valueTypeId(), method, out);
            }
        }
        return out.size() == before;
    }

    /**
     * The records of a ring buffer: the map has no value type, so a record is compared with the
     * object's struct of the same name (its {@code @CStruct} name, or the record's name in snake
     * case or as written) when the object's BTF has one. clang leaves out of BTF a struct that
     * only local variables use, so a missing struct is no error; C code makes it checkable as
     * cilium/ebpf users do, with {@code const struct exec_event *unused_exec_event __attribute__((unused));}.
     */
    private static void checkRecords(BpfObjectSpec spec, String what, CType record, String method,
            List<Problem> out) {
        Btf btf = spec.btf().orElse(null);
        if (btf == null || !(record instanceof CType.Struct s)) {
            return;
        }
        List<String> names = s.cName() != null ? List.of(s.cName()) : List.of(snake(s.javaName()), s.javaName());
        for (String name : names) {
            OptionalInt id = btf.findId(name, BtfKind.STRUCT);
            if (id.isPresent()) {
                compare(what + " records", record, btf, id.getAsInt(), method, out);
                return;
            }
        }
    }

    /** A whole global data section: it must exist (and be data, not {@code .kconfig}). */
    private static void checkSection(BpfObjectSpec spec, Declared.MapHandle m, List<Problem> out) {
        Optional<MapSpec> found = spec.dataMap(m.map()).filter(x -> x.definition() == MapSpec.Definition.DATA_SECTION);
        if (found.isEmpty()) {
            out.add(new Problem(m.method(), "value", "object '" + spec.name() + "' has no global data section '"
                    + m.map() + "'; its sections are " + dataSections(spec)));
        }
    }

    /** The sections of the object's global data maps, e.g. {@code [.rodata, .data, .bss]}. */
    public static List<String> dataSections(BpfObjectSpec spec) {
        return spec.maps().stream().filter(x -> x.definition() == MapSpec.Definition.DATA_SECTION)
                .map(MapSpec::section).toList();
    }

    private static String typeName(MapSpec map) {
        return map.mapType() == null ? "type " + map.type() + "" : map.mapType().libbpfName();
    }

    private static List<String> mapNames(BpfObjectSpec spec) {
        return spec.maps().stream().filter(x -> !x.isGlobalData()).map(MapSpec::name).toList();
    }

    private static String btfName(Btf btf, int id) {
        return btf == null || id == 0 ? "" : " (" + cName(btf, id) + ")";
    }

    // ---- programs -------------------------------------------------------------------------

    private static void checkProgram(BpfObjectSpec spec, Declared.Program p, List<Problem> out) {
        Optional<ProgramSpec> found = spec.program(p.program());
        if (found.isEmpty() || found.get().isSubprogram()) {
            String sub = found.isPresent() ? " ('" + p.program() + "' is a subprogram in .text, loaded only with "
                    + "the programs that call it)" : "";
            out.add(new Problem(p.method(), "value", "object '" + spec.name() + "' has no program '" + p.program()
                    + "'" + sub + "; its programs are " + spec.programs().stream().filter(x -> !x.isSubprogram())
                    .map(ProgramSpec::name).toList()));
            return;
        }
        SectionDef def = found.get().sectionDef();
        if (!def.known()) {
            out.add(new Problem(p.method(), "value", "program '" + p.program() + "' has section '" + def.section()
                    + "', which names no program type bpfkit (or libbpf) knows: it cannot load"));
            return;
        }
        if (p.autoAttach() && !def.autoAttachable()) {
            String why = def.targetError() != null ? def.targetError() : "it names no attach target";
            out.add(new Problem(p.method(), "autoAttach", "program '" + p.program() + "' cannot auto-attach: section '"
                    + def.section() + "' (" + def.attachKind().name().toLowerCase(java.util.Locale.ROOT) + "): " + why
                    + "; set autoAttach = false and attach it with io.bpfkit.link.Attach"));
        }
    }

    // ---- globals --------------------------------------------------------------------------

    private static void checkGlobal(BpfObjectSpec spec, Declared.Global g, List<Problem> out) {
        GlobalVariable v = variable(spec, g.variable());
        if (v == null) {
            out.add(new Problem(g.method(), "value", "object '" + spec.name() + "' has no global variable '"
                    + g.variable() + "'; its globals are " + spec.globals().stream().filter(x -> isData(spec, x))
                    .map(x -> x.name() + " (" + x.section() + ")").toList()));
            return;
        }
        String what = "global '" + g.variable() + "' (" + v.section() + ")";
        if (g.type().size() != v.size()) {
            out.add(new Problem(g.method(), null, what + ": Java " + g.type().spelling() + " is " + g.type().size()
                    + " bytes, the object's " + v.type() + " is " + v.size() + " bytes"));
            return;
        }
        Btf btf = spec.btf().orElse(null);
        if (btf != null && v.typeId() != 0) {
            compare(what, g.type(), btf, v.typeId(), g.method(), out);
        }
    }

    /** The variable of a global data map (not an extern) called {@code name}, or null. */
    public static GlobalVariable variable(BpfObjectSpec spec, String name) {
        for (GlobalVariable v : spec.globals()) {
            if (v.name().equals(name) && isData(spec, v)) {
                return v;
            }
        }
        return null;
    }

    private static boolean isData(BpfObjectSpec spec, GlobalVariable v) {
        return spec.dataMap(v.section()).filter(MapSpec::isGlobalData)
                .filter(m -> m.definition() == MapSpec.Definition.DATA_SECTION).isPresent();
    }

    // ---- PMU counters ---------------------------------------------------------------------

    private static void checkPmu(BpfObjectSpec spec, Declared.Pmu p, List<Problem> out) {
        Optional<MapSpec> found = spec.map(p.map());
        if (found.isEmpty() || found.get().isGlobalData()) {
            out.add(new Problem(p.method(), "map", "object '" + spec.name() + "' has no map '" + p.map()
                    + "' for PMU counters; its maps are " + mapNames(spec)));
            return;
        }
        MapSpec map = found.get();
        if (map.mapType() != MapType.PERF_EVENT_ARRAY) {
            out.add(new Problem(p.method(), "map", "map '" + p.map() + "' has type " + typeName(map)
                    + ": PMU counters live in a perf_event_array map"));
            return;
        }
        int declared = map.pmuCounters().size();
        if (p.counter() < 0 || p.counter() > declared) {
            out.add(new Problem(p.method(), "counter", "map '" + p.map() + "' declares " + declared
                    + " PMU counters: counter " + p.counter() + " would leave a gap (the next is " + declared + ")"));
        }
        if (p.event().isBlank()) {
            out.add(new Problem(p.method(), "event", "the perf event is empty"));
        } else {
            checkEvent(p, "event", p.event(), out);
        }
        if (p.fallback() != null && !p.fallback().isEmpty()) {
            checkEvent(p, "fallback", p.fallback(), out);
        }
    }

    /**
     * What can be told of an event name without the machine that counts: built-in names, the
     * syntax of PMU events, modifiers. Names only sysfs resolves are checked at load.
     */
    private static void checkEvent(Declared.Pmu p, String attribute, String event, List<Problem> out) {
        String problem = eventProblem(p.map(), p.counter(), event);
        if (problem != null) {
            out.add(new Problem(p.method(), attribute, problem));
        }
    }

    /**
     * Why counter {@code counter} of map {@code map} cannot count {@code event} on any machine,
     * or null when it can or only the machine's sysfs can tell.
     */
    public static String eventProblem(String map, int counter, String event) {
        try {
            PerfEventParser.parseOffline(event);
            return null;
        } catch (LoadException | IllegalArgumentException e) {
            return "map '" + map + "' counter " + counter + ": " + e.getMessage();
        }
    }

    // ---- BTF comparison -------------------------------------------------------------------

    /** Compares a Java-side type with BTF type {@code typeId}; adds the first difference. */
    static void compare(String what, CType java, Btf btf, int typeId, String method, List<Problem> out) {
        String mismatch = mismatch(what, java, java.spelling(), btf, typeId);
        if (mismatch != null) {
            out.add(new Problem(method, null, mismatch));
        }
    }

    /**
     * Why {@code java} cannot stand for BTF type {@code typeId}, or null when it can: sizes,
     * kinds, array lengths, struct members in order (names, C's snake case accepted, offsets),
     * and integer signedness. Bindings and typed map handles
     * ({@code io.bpfkit.map.BpfMaps}) both check with this, so they agree on what fits.
     *
     * @param what what is compared, e.g. {@code map 'counts' value}
     * @param javaName the Java side in the message, e.g. {@code struct Stats} or {@code record Stats}
     * @return e.g. {@code map 'counts' value does not match the object's struct stats: record
     *     Stats.calls is __s64 (signed: add @Unsigned), the object has __u64 (BTF int encoding:
     *     unsigned)}
     */
    public static String mismatch(String what, CType java, String javaName, Btf btf, int typeId) {
        String diff = difference(java, btf, typeId, javaName);
        return diff == null ? null : what + " does not match the object's " + cName(btf, typeId) + ": " + diff;
    }

    /** The first difference between {@code java} and BTF type {@code typeId}, or null. */
    private static String difference(CType java, Btf btf, int typeId, String path) {
        int id = btf.skipModifiersAndTypedefs(typeId);
        BtfType t = btf.type(id);
        long size = btf.resolveSize(id);
        if (isRawBytes(java) && size == java.size() && !(t instanceof BtfType.Array ba && ba.elements() == size
                && btf.resolveSize(ba.type()) == 1)) {
            // @Size(N) byte[]: the bytes of any type of N bytes, for what a record cannot stand for
            // (unions, bit fields, arrays of arrays); a byte array against a byte array is compared below
            return null;
        }
        long length = java instanceof CType.Array a ? a.length() : java instanceof CType.Chars c ? c.length() : -1;
        if (length >= 0 && t instanceof BtfType.Array ba && ba.elements() != length) {
            return path + " has " + length + " elements (@Size), the object's " + cName(btf, typeId) + " has "
                    + ba.elements();
        }
        if (size != java.size()) {
            return path + " is " + java.size() + " bytes (Java " + java.spelling() + "), " + cName(btf, typeId)
                    + " is " + size + " bytes";
        }
        return switch (java) {
            case CType.Int i -> integerDifference(i, i.unsigned(), btf, typeId, t, path);
            case CType.AnyInt i -> integerDifference(i, null, btf, typeId, t, path);
            case CType.Floating f -> t instanceof BtfType.Float ? null
                    : path + " is " + f.spelling() + ", the object has " + cName(btf, typeId);
            case CType.Bool b -> t instanceof BtfType.Int ? null
                    : path + " is _Bool (Java boolean), the object has " + cName(btf, typeId);
            case CType.Chars c -> t instanceof BtfType.Array a && a.elements() == c.length()
                    && btf.resolveSize(a.type()) == 1 ? null
                    : path + " is " + c.spelling() + " (Java String), the object has " + cName(btf, typeId);
            case CType.Array a -> {
                if (!(t instanceof BtfType.Array ba)) {
                    yield path + " is " + a.spelling() + ", the object has " + cName(btf, typeId);
                }
                yield difference(a.element(), btf, ba.type(), path + "[]");
            }
            case CType.Struct s -> structDifference(s, btf, id, t, path);
        };
    }

    /**
     * An integer against BTF: any integer or enum of the size; with a known signedness
     * ({@code unsigned} not null) the BTF int's encoding must agree, except for bytes, where
     * {@code char} and {@code __u8} differ only in how C prints them.
     */
    private static String integerDifference(CType java, Boolean unsigned, Btf btf, int typeId, BtfType t,
            String path) {
        if (t instanceof BtfType.Enumeration) {
            return null;
        }
        if (t instanceof BtfType.Ptr && java.size() == btf.pointerSize()) {
            return null; // an address, held as an integer of the pointer's width
        }
        if (!(t instanceof BtfType.Int bi) || bi.isBool()) {
            return path + " is an integer (Java " + java.spelling() + "), the object has " + cName(btf, typeId);
        }
        if (unsigned != null && java.size() > 1 && bi.isSigned() == unsigned) {
            return path + " is " + java.spelling() + (unsigned ? " (unsigned)" : " (signed: add @Unsigned)")
                    + ", the object has " + cName(btf, typeId) + " (BTF int encoding: "
                    + (bi.isSigned() ? "signed" : "unsigned") + ")";
        }
        return null;
    }

    private static boolean isRawBytes(CType java) {
        return java instanceof CType.Array a && a.element() instanceof CType.Int i && i.bytes() == 1;
    }

    private static String structDifference(CType.Struct s, Btf btf, int id, BtfType t, String path) {
        if (!(t instanceof BtfType.Struct st)) {
            return path + " is a struct (record " + s.javaName() + "), the object has " + cName(btf, id);
        }
        if (s.cName() != null && !s.cName().equals(st.name())) {
            return path + ": @CStruct(\"" + s.cName() + "\") but the object has " + cName(btf, id);
        }
        List<BtfType.Member> bm = st.members();
        for (int i = 0; i < Math.max(bm.size(), s.members().size()); i++) {
            if (i >= s.members().size()) {
                return "record " + s.javaName() + " ends after " + s.members().size() + " members, "
                        + cName(btf, id) + " has more: " + bm.subList(i, bm.size()).stream()
                        .map(BtfType.Member::name).toList();
            }
            CType.Member jm = s.members().get(i);
            String where = path + "." + jm.name();
            if (i >= bm.size()) {
                return "record " + s.javaName() + " member '" + jm.name() + "' (offset " + jm.offset() + ") has no "
                        + "counterpart: " + cName(btf, id) + " has " + bm.size() + " members";
            }
            BtfType.Member b = bm.get(i);
            if (!b.name().equals(jm.name()) && !b.name().equals(snake(jm.name()))) {
                return "member " + i + " of record " + s.javaName() + " is '" + jm.name() + "', " + cName(btf, id)
                        + " has '" + b.name() + "' there";
            }
            if (b.isBitfield() || b.bitOffset() % 8 != 0) {
                return where + ": " + cName(btf, id) + " member '" + b.name() + "' is a bitfield, which records "
                        + "cannot stand for";
            }
            if (b.bitOffset() / 8 != jm.offset()) {
                return where + " is at offset " + jm.offset() + ", " + cName(btf, id) + " member '" + b.name()
                        + "' at offset " + b.bitOffset() / 8;
            }
            String inner = difference(jm.type(), btf, b.type(), where);
            if (inner != null) {
                return inner;
            }
        }
        return null;
    }

    /** {@code firstSeen} to {@code first_seen}: the C spelling of a Java name (members, default names of binding methods). */
    public static String snake(String camel) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char ch = camel.charAt(i);
            if (Character.isUpperCase(ch)) {
                if (i > 0) {
                    sb.append('_');
                }
                sb.append(Character.toLowerCase(ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    /** BTF type {@code typeId} as C spells it: {@code struct stats}, {@code __u32[3]}, {@code const int}. */
    public static String cName(Btf btf, int typeId) {
        BtfType t = btf.type(typeId);
        String n = t.name().isEmpty() ? "<anonymous>" : t.name();
        return switch (t) {
            case BtfType.Struct s -> "struct " + n;
            case BtfType.Union u -> "union " + n;
            case BtfType.Enum e -> "enum " + n;
            case BtfType.Enum64 e -> "enum " + n;
            case BtfType.Array a -> cName(btf, a.type()) + "[" + a.elements() + "]";
            case BtfType.Ptr p -> cName(btf, p.type()) + " *";
            case BtfType.Const c -> "const " + cName(btf, c.type());
            case BtfType.Volatile v -> "volatile " + cName(btf, v.type());
            default -> n;
        };
    }
}
