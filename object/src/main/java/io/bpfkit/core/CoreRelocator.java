package io.bpfkit.core;

import io.bpfkit.api.LoadException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfExt;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfType;
import io.bpfkit.btf.CoreReloKind;
import io.bpfkit.object.Instructions;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Resolves CO-RE relocations of one object's BTF against a {@link CoreTarget} and patches the
 * instructions, with libbpf's rules ({@code relo_core.c}): the access string is walked through
 * the local types (arrays, anonymous members, bitfields); candidates are target types of the
 * same essential name and kind; each is matched member by member (by name, looking through
 * anonymous members, field types compatible); every matching candidate must give the same
 * answer (else the relocation is ambiguous: an error); a relocation nothing satisfies poisons
 * its instruction (except the "exists" kinds, which become 0). Pure: no system calls.
 *
 * <p>Not thread-safe (it reuses scratch state); candidate lists are kept per local type, so
 * one relocator per object load resolves each type's candidates once.
 *
 * <pre>{@code
 * CoreRelocator r = new CoreRelocator(spec.btf().orElseThrow(), CoreTarget.of(KernelBtf.vmlinux()));
 * List<CoreRelocator.Poisoned> dead = r.apply("my_prog", insns, ByteOrder.LITTLE_ENDIAN, linked.coreRelocations());
 * }</pre>
 */
public final class CoreRelocator {
    /** libbpf's poison: a call to this helper id, which no kernel has ("invalid func unknown#195896080"). */
    public static final int POISON_HELPER_ID = 0xbad2310;
    /** libbpf's BPF_CORE_SPEC_MAX_LEN: the longest access path. */
    static final int MAX_SPEC_LEN = 64;

    private static final int CLASS_LD = 0;
    private static final int CLASS_LDX = 1;
    private static final int CLASS_ST = 2;
    private static final int CLASS_STX = 3;
    private static final int CLASS_ALU = 4;
    private static final int CLASS_ALU64 = 7;

    /**
     * An instruction replaced by a poison call, and why.
     *
     * @param relocationIndex the CO-RE relocation's index in the program, or -1 for other poisons
     *     (a weak kfunc the kernel lacks)
     */
    public record Poisoned(int instruction, int relocationIndex, String description) {
        /** For a verifier message: which relocation failed. */
        public String describe() {
            String what = relocationIndex < 0 ? description
                    : "CO-RE relocation #" + relocationIndex + " (" + description + ") could not be satisfied by the"
                            + " kernel's BTF";
            return what + ", so instruction " + instruction + " was poisoned; it must be unreachable (guard it with"
                    + " bpf_core_field_exists / bpf_core_type_exists / bpf_ksym_exists)";
        }
    }

    private final Btf local;
    private final CoreTarget target;
    /** Candidates by local type id: filled on first use, narrowed to those that matched. */
    private final CoreTarget.Candidate[][] candidates;
    private final Spec localSpec = new Spec();
    private final Spec candSpec = new Spec();
    private final Spec targSpec = new Spec();
    private final FieldValue field = new FieldValue();

    public CoreRelocator(Btf local, CoreTarget target) {
        this.local = Objects.requireNonNull(local, "local");
        this.target = Objects.requireNonNull(target, "target");
        this.candidates = new CoreTarget.Candidate[local.typeCount()][];
    }

    // ------------------------------------------------------------------ specs

    /** An access path: the high-level accessors (named fields, array indexes) and the raw indexes. */
    static final class Spec {
        Btf btf;
        int root;
        CoreReloKind kind;
        int len;
        final int[] accType = new int[MAX_SPEC_LEN];
        final int[] accIdx = new int[MAX_SPEC_LEN];
        final String[] accName = new String[MAX_SPEC_LEN];
        int rawLen;
        final int[] raw = new int[MAX_SPEC_LEN];
        long bitOffset;

        void reset(Btf b, int rootId, CoreReloKind k) {
            btf = b;
            root = rootId;
            kind = k;
            len = 0;
            rawLen = 0;
            bitOffset = 0;
        }

        void copyFrom(Spec o) {
            reset(o.btf, o.root, o.kind);
            len = o.len;
            rawLen = o.rawLen;
            bitOffset = o.bitOffset;
            System.arraycopy(o.accType, 0, accType, 0, len);
            System.arraycopy(o.accIdx, 0, accIdx, 0, len);
            System.arraycopy(o.accName, 0, accName, 0, len);
            System.arraycopy(o.raw, 0, raw, 0, rawLen);
        }

        void push(int type, int idx, String name) {
            accType[len] = type;
            accIdx[len] = idx;
            accName[len] = name;
            len++;
        }
    }

    private LoadException bad(Relo r, String problem) {
        return new LoadException(r.quiet ? "CO-RE relocation" : "CO-RE relocation of " + r.describe(), problem);
    }

    /** The relocation record with a readable description, computed only for messages. */
    private final class Relo {
        final BtfExt.CoreRelocation relo;
        /** Describing a relocation parses it: errors found then must not describe it again. */
        final boolean quiet;

        Relo(BtfExt.CoreRelocation relo, boolean quiet) {
            this.relo = relo;
            this.quiet = quiet;
        }

        String describe() {
            return CoreRelocator.this.describe(relo);
        }
    }

    /** "field byte offset of struct task_struct.tgid (access 0:1)" and the like. */
    public String describe(BtfExt.CoreRelocation relo) {
        StringBuilder sb = new StringBuilder(kindLabel(relo.kind())).append(" of ");
        if (!local.hasType(relo.typeId())) {
            return sb.append("type [").append(relo.typeId()).append("]").toString();
        }
        BtfKind k = local.kind(relo.typeId());
        String name = local.name(relo.typeId());
        sb.append(k.label().toLowerCase(java.util.Locale.ROOT)).append(' ').append(name.isEmpty() ? "<anon>" : name);
        try {
            sb.append(path(relo));
        } catch (RuntimeException e) {
            // A malformed path is described by its raw form only.
        }
        sb.append(" (access ").append(relo.accessString());
        return sb.append(')').toString();
    }

    private String path(BtfExt.CoreRelocation relo) {
        if (relo.kind().isTypeBased()) {
            return "";
        }
        Spec s = new Spec();
        parse(new Relo(relo, true), s);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.len; i++) {
            if (s.accName[i] != null) {
                sb.append(relo.kind().isEnumValueBased() ? "::" : ".").append(s.accName[i]);
            } else if (i > 0 || s.accIdx[i] != 0) {
                sb.append('[').append(s.accIdx[i]).append(']');
            }
        }
        return sb.toString();
    }

    private static String kindLabel(CoreReloKind k) {
        return k.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** libbpf's bpf_core_parse_spec over the local BTF. */
    private void parse(Relo r, Spec spec) {
        BtfExt.CoreRelocation relo = r.relo;
        if (!local.hasType(relo.typeId()) || relo.typeId() == 0) {
            throw bad(r, "names type id " + relo.typeId() + ", which the object's BTF does not have");
        }
        spec.reset(local, relo.typeId(), relo.kind());
        if (relo.kind().isTypeBased()) {
            if (!relo.accessString().equals("0")) {
                throw bad(r, "a type relocation must have access string \"0\"");
            }
            return;
        }
        int[] access = relo.accessIndexes();
        if (access.length > MAX_SPEC_LEN) {
            throw bad(r, "the access path is longer than " + MAX_SPEC_LEN);
        }
        System.arraycopy(access, 0, spec.raw, 0, access.length);
        spec.rawLen = access.length;
        int id = local.skipModifiersAndTypedefs(relo.typeId());
        int first = access[0];
        if (relo.kind().isEnumValueBased()) {
            if (!(local.type(id) instanceof BtfType.Enumeration e) || access.length > 1 || first >= e.values().size()) {
                throw bad(r, "an enum value relocation must name one enumerator of an enum");
            }
            spec.push(id, first, e.values().get(first).name());
            return;
        }
        spec.push(id, first, null);
        long size = local.resolveSize(id);
        if (size < 0) {
            throw bad(r, "the root type has no size");
        }
        spec.bitOffset = first * size * 8;
        for (int i = 1; i < access.length; i++) {
            id = local.skipModifiersAndTypedefs(id);
            int idx = access[i];
            BtfType t = local.type(id);
            if (t instanceof BtfType.Composite c) {
                if (idx >= c.members().size()) {
                    throw bad(r, "access index " + idx + " is past the last member of " + c.name());
                }
                BtfType.Member m = c.members().get(idx);
                spec.bitOffset += m.bitOffset();
                if (!m.name().isEmpty()) {
                    spec.push(id, idx, m.name());
                }
                id = m.type();
            } else if (t instanceof BtfType.Array a) {
                boolean flex = isFlexArray(local, spec, a);
                id = local.skipModifiersAndTypedefs(a.type());
                if (!flex && idx >= a.elements()) {
                    throw bad(r, "array index " + idx + " is out of bounds (" + a.elements() + " elements)");
                }
                spec.push(id, idx, null);
                long sz = local.resolveSize(id);
                if (sz < 0) {
                    throw bad(r, "an array element has no size");
                }
                spec.bitOffset += idx * sz * 8;
            } else {
                throw bad(r, "access index " + idx + " goes into a " + t.kind().label() + ", which has no fields");
            }
        }
    }

    /** An array that is the last member of a struct, with no elements: indexes past its end are fine. */
    private static boolean isFlexArray(Btf btf, Spec spec, BtfType.Array a) {
        if (spec.len == 0 || spec.accName[spec.len - 1] == null || a.elements() > 0) {
            return false;
        }
        BtfType t = btf.type(spec.accType[spec.len - 1]);
        return t instanceof BtfType.Composite c && spec.accIdx[spec.len - 1] == c.members().size() - 1;
    }

    // ------------------------------------------------------------------ matching

    /** libbpf's bpf_core_spec_match: fills targ and says whether candidate {@code targId} matches. */
    private boolean match(Spec loc, Btf targBtf, int targId, Spec targ) {
        targ.reset(targBtf, targId, loc.kind);
        if (loc.kind.isTypeBased()) {
            return loc.kind == CoreReloKind.TYPE_MATCHES
                    ? CoreTypes.matches(loc.btf, loc.root, targBtf, targId)
                    : CoreTypes.compatible(loc.btf, loc.root, targBtf, targId);
        }
        if (loc.kind.isEnumValueBased()) {
            int id = targBtf.skipModifiersAndTypedefs(targId);
            if (!(targBtf.type(id) instanceof BtfType.Enumeration e)) {
                return false;
            }
            String want = loc.accName[0];
            List<BtfType.EnumValue> vs = e.values();
            for (int i = 0; i < vs.size(); i++) {
                if (CoreNames.essentialEquals(want, vs.get(i).name())) {
                    targ.push(id, i, vs.get(i).name());
                    targ.raw[targ.rawLen++] = i;
                    return true;
                }
            }
            return false;
        }
        int id = targId;
        for (int i = 0; i < loc.len; i++) {
            id = targBtf.skipModifiersAndTypedefs(id);
            if (loc.accName[i] != null) {
                int next = matchMember(loc, i, targBtf, id, targ);
                if (next < 0) {
                    return false;
                }
                id = next;
            } else {
                if (i > 0) {
                    if (!(targBtf.type(id) instanceof BtfType.Array a)) {
                        return false;
                    }
                    boolean flex = isFlexArray(targBtf, targ, a);
                    if (!flex && loc.accIdx[i] >= a.elements()) {
                        return false;
                    }
                    id = targBtf.skipModifiersAndTypedefs(a.type());
                }
                if (targ.rawLen == MAX_SPEC_LEN) {
                    return false;
                }
                targ.push(id, loc.accIdx[i], null);
                targ.raw[targ.rawLen++] = loc.accIdx[i];
                long sz = targBtf.resolveSize(id);
                if (sz < 0) {
                    return false;
                }
                targ.bitOffset += loc.accIdx[i] * sz * 8;
            }
        }
        return true;
    }

    /**
     * Finds local accessor {@code i}'s member by name in composite {@code targId}, looking
     * through anonymous members (libbpf's bpf_core_match_member, from the target's member
     * tables); adds it to targ and returns its type id, or -1.
     */
    private int matchMember(Spec loc, int i, Btf targBtf, int targId, Spec targ) {
        targId = targBtf.skipModifiersAndTypedefs(targId);
        if (!CoreTypes.isComposite(targBtf.kind(targId))) {
            return -1;
        }
        BtfType.Composite lc = (BtfType.Composite) loc.btf.type(loc.accType[i]);
        BtfType.Member lm = lc.members().get(loc.accIdx[i]);
        CoreTarget.MemberRef m = target.member(targBtf, targId, lm.name());
        if (m == null || targ.rawLen + m.rawPath().length > MAX_SPEC_LEN
                || !CoreTypes.fieldsCompatible(loc.btf, lm.type(), targBtf, m.type())) {
            return -1;
        }
        System.arraycopy(m.rawPath(), 0, targ.raw, targ.rawLen, m.rawPath().length);
        targ.rawLen += m.rawPath().length;
        targ.bitOffset += m.bitOffset();
        targ.push(m.owner(), m.index(), lm.name());
        return m.type();
    }

    // ------------------------------------------------------------------ values

    /** A field relocation's value, with the field's size and type for load/store size checks. */
    private static final class FieldValue {
        long value;
        int size;
        int typeId;
        boolean validate;
    }

    /** libbpf's bpf_core_calc_field_relo; false means poison. */
    private boolean fieldValue(Relo r, Spec spec, FieldValue out) {
        CoreReloKind kind = r.relo.kind();
        out.size = 0;
        out.typeId = 0;
        out.validate = true;
        if (kind == CoreReloKind.FIELD_EXISTS) {
            out.value = spec == null ? 0 : 1;
            return true;
        }
        if (spec == null) {
            return false;
        }
        Btf btf = spec.btf;
        int last = spec.len - 1;
        if (spec.accName[last] == null) {
            long sz = btf.resolveSize(spec.accType[last]);
            if (sz < 0) {
                throw bad(r, "the accessed element has no size");
            }
            switch (kind) {
                case FIELD_BYTE_OFFSET -> {
                    out.value = spec.bitOffset / 8;
                    out.size = (int) sz;
                    out.typeId = spec.accType[last];
                }
                case FIELD_BYTE_SIZE -> out.value = sz;
                default -> throw bad(r, "cannot be applied to an array element (only offset and size can)");
            }
            return true;
        }
        BtfType.Composite c = (BtfType.Composite) btf.type(spec.accType[last]);
        BtfType.Member m = c.members().get(spec.accIdx[last]);
        int fieldType = btf.skipModifiersAndTypedefs(m.type());
        BtfType mt = btf.type(fieldType);
        long bitOff = spec.bitOffset;
        long bitSize = m.bitfieldSize();
        boolean bitfield = bitSize > 0;
        long byteSize;
        long byteOff;
        if (bitfield) {
            byteSize = sizeOf(mt);
            if (byteSize <= 0) {
                throw bad(r, "the bitfield's type has no size");
            }
            byteOff = bitOff / 8 / byteSize * byteSize;
            while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
                if (byteSize >= 8) {
                    throw bad(r, "the bitfield cannot be read with one 64-bit load");
                }
                byteSize *= 2;
                byteOff = bitOff / 8 / byteSize * byteSize;
            }
        } else {
            long sz = btf.resolveSize(fieldType);
            if (sz < 0) {
                throw bad(r, "the field's type has no size");
            }
            byteSize = sz;
            byteOff = bitOff / 8;
            bitSize = byteSize * 8;
        }
        out.validate = !bitfield;
        switch (kind) {
            case FIELD_BYTE_OFFSET -> {
                out.value = byteOff;
                if (!bitfield) {
                    out.size = (int) byteSize;
                    out.typeId = fieldType;
                }
            }
            case FIELD_BYTE_SIZE -> out.value = byteSize;
            case FIELD_SIGNED -> {
                out.value = isSigned(mt) ? 1 : 0;
                out.validate = true;
            }
            case FIELD_LSHIFT_U64 -> out.value = 64 - (bitOff + bitSize - byteOff * 8);
            case FIELD_RSHIFT_U64 -> {
                out.value = 64 - bitSize;
                out.validate = true;
            }
            default -> throw new IllegalStateException(kind + " is not a field relocation");
        }
        return true;
    }

    private static long sizeOf(BtfType t) {
        return switch (t) {
            case BtfType.Int i -> i.size();
            case BtfType.Enumeration e -> e.size();
            default -> -1;
        };
    }

    private static boolean isSigned(BtfType t) {
        return switch (t) {
            case BtfType.Int i -> i.isSigned();
            case BtfType.Enumeration e -> e.signed();
            default -> false;
        };
    }

    /** libbpf's bpf_core_calc_type_relo. */
    private long typeValue(Relo r, Spec spec) {
        if (spec == null) {
            return 0;
        }
        return switch (r.relo.kind()) {
            case TYPE_ID_TARGET -> spec.root;
            case TYPE_EXISTS, TYPE_MATCHES -> 1;
            case TYPE_SIZE -> {
                long sz = spec.btf.resolveSize(spec.root);
                if (sz < 0) {
                    throw bad(r, "the type has no size");
                }
                yield sz;
            }
            default -> throw new IllegalStateException(r.relo.kind() + " is not a type relocation");
        };
    }

    /** libbpf's bpf_core_calc_enumval_relo into out[0]; false means poison (no target for the value). */
    private static boolean enumValue(Relo r, Spec spec, long[] out) {
        if (r.relo.kind() == CoreReloKind.ENUMVAL_EXISTS) {
            out[0] = spec == null ? 0 : 1;
            return true;
        }
        if (spec == null) {
            return false;
        }
        BtfType.Enumeration e = (BtfType.Enumeration) spec.btf.type(spec.accType[0]);
        out[0] = e.values().get(spec.accIdx[0]).value();
        return true;
    }

    private final long[] enumScratch = new long[1];

    /** libbpf's bpf_core_calc_relo for one (local, target-or-null) pair. */
    private CoreResult calc(Relo r, Spec loc, Spec targ, CoreTarget.Candidate cand) {
        CoreReloKind kind = r.relo.kind();
        long orig;
        long now = 0;
        boolean poison = false;
        boolean validate = true;
        boolean sizeMismatch = false;
        int origSize = 0;
        int newSize = 0;
        if (kind.isFieldBased()) {
            fieldValue(r, loc, field);
            orig = field.value;
            validate = field.validate;
            origSize = field.size;
            int origType = field.typeId;
            if (fieldValue(r, targ, field)) {
                now = field.value;
                newSize = field.size;
                if (origSize != newSize) {
                    BtfType ot = local.type(local.skipModifiersAndTypedefs(origType));
                    BtfType nt = targ.btf.type(targ.btf.skipModifiersAndTypedefs(field.typeId));
                    boolean pointers = ot instanceof BtfType.Ptr && nt instanceof BtfType.Ptr;
                    boolean unsignedInts = ot instanceof BtfType.Int oi && nt instanceof BtfType.Int ni
                            && !oi.isSigned() && !ni.isSigned();
                    sizeMismatch = !pointers && !unsignedInts;
                }
            } else {
                poison = true;
            }
        } else if (kind.isTypeBased()) {
            orig = typeValue(r, loc);
            now = typeValue(r, targ);
            validate = kind != CoreReloKind.TYPE_ID_TARGET;
        } else {
            enumValue(r, loc, enumScratch);
            orig = enumScratch[0];
            if (enumValue(r, targ, enumScratch)) {
                now = enumScratch[0];
            } else {
                poison = true;
            }
        }
        return new CoreResult(kind, orig, poison ? 0 : now, poison, validate, sizeMismatch, origSize, newSize, cand,
                null);
    }

    // ------------------------------------------------------------------ resolution

    /**
     * Resolves one relocation (libbpf's {@code bpf_core_calc_relo_insn}).
     *
     * @throws LoadException when the record is malformed, the local type is anonymous, or
     *     candidates disagree (ambiguity)
     */
    public CoreResult resolve(BtfExt.CoreRelocation relo) {
        Relo r = new Relo(relo, false);
        parse(r, localSpec);
        if (relo.kind() == CoreReloKind.TYPE_ID_LOCAL) {
            return new CoreResult(relo.kind(), relo.typeId(), relo.typeId(), false, false, false, 0, 0, null, null);
        }
        int key = relo.typeId();
        CoreTarget.Candidate[] cands = candidates[key];
        if (cands == null) {
            String name = local.name(key);
            if (name.isEmpty()) {
                throw bad(r, "CO-RE cannot relocate anonymous types (give the type a name)");
            }
            cands = target.candidateArray(name, local.kind(key));
            candidates[key] = cands;
        }
        CoreResult best = null;
        CoreTarget.Candidate[] kept = null;
        int j = 0;
        for (CoreTarget.Candidate c : cands) {
            if (!match(localSpec, c.btf(), c.id(), candSpec)) {
                continue;
            }
            CoreResult res = calc(r, localSpec, candSpec, c);
            if (j == 0) {
                best = res;
                targSpec.copyFrom(candSpec);
            } else if (candSpec.bitOffset != targSpec.bitOffset) {
                throw bad(r, "is ambiguous: kernel types [" + best.target().id() + "] and [" + c.id()
                        + "] both match, with the field at different offsets (bit " + targSpec.bitOffset + " vs "
                        + candSpec.bitOffset + ")");
            } else if (res.poison() != best.poison() || res.newValue() != best.newValue()) {
                throw bad(r, "is ambiguous: kernel types [" + best.target().id() + "] and [" + c.id()
                        + "] both match but give different values (" + outcome(best) + " vs " + outcome(res) + ")");
            }
            if (kept == null) {
                kept = new CoreTarget.Candidate[cands.length];
            }
            kept[j++] = c;
        }
        if (j > 0 && j < cands.length) {
            // As libbpf: later relocations of this type only try the candidates that matched.
            candidates[key] = java.util.Arrays.copyOf(kept, j);
        }
        if (j == 0) {
            best = calc(r, localSpec, null, null);
        }
        return best;
    }

    /**
     * Looks up the target candidates of every local type these relocations name, all in one
     * search of the target (see {@link CoreTarget#prefetch}), so that resolving them finds them
     * cached. Call it with every relocation of an object before relocating its programs one by
     * one; {@link #apply} does it for the relocations it is given. Malformed records are left
     * for {@link #resolve} to report.
     */
    public void findCandidates(Collection<BtfExt.CoreRelocation> relos) {
        List<String> names = new ArrayList<>();
        List<BtfKind> kinds = new ArrayList<>();
        for (BtfExt.CoreRelocation relo : relos) {
            int key = relo.typeId();
            if (relo.kind() == CoreReloKind.TYPE_ID_LOCAL || key <= 0 || key >= candidates.length
                    || candidates[key] != null) {
                continue;
            }
            String name = local.name(key);
            if (!name.isEmpty()) {
                names.add(name);
                kinds.add(local.kind(key));
            }
        }
        if (!names.isEmpty()) {
            target.prefetch(names, kinds);
        }
    }

    private static String outcome(CoreResult r) {
        return r.poison() ? "unsatisfiable" : Long.toUnsignedString(r.newValue());
    }

    /**
     * Resolves every relocation and patches {@code insns} (the program's instructions, 8 bytes
     * each, in {@code order}) as libbpf's {@code bpf_core_patch_insn} does.
     *
     * @param program the program's name, for messages
     * @return the instructions poisoned because their relocation could not be satisfied
     * @throws LoadException when a relocation is malformed or ambiguous, or its instruction is
     *     not what the relocation says (a corrupt object)
     */
    public List<Poisoned> apply(String program, byte[] insns, ByteOrder order, List<BtfExt.CoreRelocation> relos) {
        findCandidates(relos);
        List<Poisoned> poisoned = new ArrayList<>();
        int count = insns.length / Instructions.SIZE;
        for (int i = 0; i < relos.size(); i++) {
            BtfExt.CoreRelocation relo = relos.get(i);
            int at = relo.insnIndex();
            if (at < 0 || at >= count) {
                throw new LoadException("program '" + program + "'", "CO-RE relocation #" + i + " names instruction "
                        + at + ", but the program has " + count);
            }
            CoreResult res;
            try {
                res = resolve(relo);
            } catch (LoadException e) {
                // "CO-RE relocation of X: problem" becomes "program 'p': CO-RE relocation #i of X: problem".
                throw new LoadException("program '" + program + "'", e.getMessage().replaceFirst("^CO-RE relocation",
                        "CO-RE relocation #" + i), e);
            }
            String problem = patch(insns, order, at, res);
            if (problem == null && (res.poison() || (res.memSizeMismatch() && isMemoryAccess(insns, at)))) {
                poison(insns, order, at);
                poisoned.add(new Poisoned(at, i, describe(relo)));
            } else if (problem != null) {
                throw new LoadException("program '" + program + "'", "CO-RE relocation #" + i + " (" + describe(relo)
                        + "): instruction " + at + " " + problem);
            }
        }
        return poisoned;
    }

    private static boolean isMemoryAccess(byte[] insns, int at) {
        int cls = Instructions.opcode(insns, at) & 7;
        return cls == CLASS_LDX || cls == CLASS_ST || cls == CLASS_STX;
    }

    /** Patches one instruction; returns null when done (or when it is to be poisoned), else the problem. */
    static String patch(byte[] insns, ByteOrder order, int at, CoreResult res) {
        if (res.poison()) {
            return null;
        }
        int code = Instructions.opcode(insns, at);
        int cls = code & 7;
        long orig = res.originalValue();
        long now = res.newValue();
        switch (cls) {
            case CLASS_ALU, CLASS_ALU64 -> {
                if ((code & 0x08) != 0) {
                    return "is an ALU instruction with a register operand; CO-RE needs an immediate";
                }
                int imm = Instructions.imm(insns, at, order);
                if (res.validate() && imm != orig) {
                    return "holds immediate " + imm + ", expected " + orig;
                }
                Instructions.setImm(insns, at, (int) now, order);
            }
            case CLASS_LDX, CLASS_ST, CLASS_STX -> {
                short off = Instructions.offset(insns, at, order);
                if (res.validate() && off != orig) {
                    return "holds offset " + off + ", expected " + orig;
                }
                if (Long.compareUnsigned(now, Short.MAX_VALUE) > 0) {
                    return "would need offset " + Long.toUnsignedString(now) + ", more than a load or store can hold";
                }
                if (res.memSizeMismatch()) {
                    return null; // poisoned by the caller, as libbpf does
                }
                Instructions.setOffset(insns, at, (short) now, order);
                if (res.newSize() != res.originalSize()) {
                    int bytes = sizeBytes(code);
                    if (bytes != res.originalSize()) {
                        return "accesses " + bytes + " bytes, but the field has " + res.originalSize();
                    }
                    int sizeBits = sizeCode(res.newSize());
                    if (sizeBits < 0) {
                        return "cannot access " + res.newSize() + " bytes at once";
                    }
                    insns[at * Instructions.SIZE] = (byte) ((code & ~0x18) | sizeBits);
                }
            }
            case CLASS_LD -> {
                if (code != Instructions.OP_LD_IMM64 || at + 1 >= insns.length / Instructions.SIZE
                        || Instructions.srcReg(insns, at, order) != 0 || Instructions.offset(insns, at, order) != 0
                        || Instructions.opcode(insns, at + 1) != 0 || insns[(at + 1) * Instructions.SIZE + 1] != 0
                        || Instructions.offset(insns, at + 1, order) != 0) {
                    return "is not a plain 64-bit immediate load";
                }
                long imm = Integer.toUnsignedLong(Instructions.imm(insns, at, order))
                        | (long) Instructions.imm(insns, at + 1, order) << 32;
                if (res.validate() && imm != orig) {
                    return "holds immediate " + imm + ", expected " + orig;
                }
                Instructions.setImm(insns, at, (int) now, order);
                Instructions.setImm(insns, at + 1, (int) (now >>> 32), order);
            }
            default -> {
                return "has instruction class " + cls + ", which CO-RE does not relocate";
            }
        }
        return null;
    }

    private static int sizeBytes(int code) {
        return switch (code & 0x18) {
            case 0x00 -> 4;
            case 0x08 -> 2;
            case 0x10 -> 1;
            default -> 8;
        };
    }

    private static int sizeCode(int bytes) {
        return switch (bytes) {
            case 4 -> 0x00;
            case 2 -> 0x08;
            case 1 -> 0x10;
            case 8 -> 0x18;
            default -> -1;
        };
    }

    /** libbpf's poison: a call to helper {@link #POISON_HELPER_ID}; both halves of an ld_imm64. */
    static void poison(byte[] insns, ByteOrder order, int at) {
        if (Instructions.opcode(insns, at) == Instructions.OP_LD_IMM64 && at + 1 < insns.length / Instructions.SIZE) {
            poisonOne(insns, order, at + 1);
        }
        poisonOne(insns, order, at);
    }

    private static void poisonOne(byte[] insns, ByteOrder order, int at) {
        int b = at * Instructions.SIZE;
        insns[b] = (byte) Instructions.OP_CALL;
        insns[b + 1] = 0;
        Instructions.setOffset(insns, at, (short) 0, order);
        Instructions.setImm(insns, at, POISON_HELPER_ID, order);
    }
}
