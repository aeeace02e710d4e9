package io.bpfkit.btf;

import io.bpfkit.api.ObjectFormatException;
import java.util.Arrays;
import java.util.List;

/**
 * Writes BTF types as C declarations, in an order a C compiler accepts. The shape of every
 * declaration and the order follow libbpf's {@code btf_dump} (the engine behind {@code bpftool
 * btf dump ... format c}, libbpf 1.1) so that the header is the one bpftool prints; this is an
 * independent implementation of the same rules.
 *
 * <p>Ordering is a depth-first topological sort in which a dependency is <em>strong</em> when
 * the type must be complete where it is used (embedded by value, or anonymous and so defined
 * inline) and <em>weak</em> when a forward declaration is enough (reached through a pointer
 * and named). Cycles are only legal through weak links; anything else in the type graph that C
 * cannot express is an {@link ObjectFormatException}.
 *
 * <p>Recursion follows the type graph, so a hostile blob could nest types deeply enough to
 * exhaust the stack: nesting deeper than {@link #MAX_NESTING} is refused instead.
 */
final class CTypeWriter {
    /** How deep types may nest (vmlinux needs a few dozen). */
    static final int MAX_NESTING = 1000;
    /** The most padding lines one gap may need (a 64 KiB hole of {@code long: 64;}). */
    private static final long MAX_PADDING_LINES = 8192;

    private static final int NOT_ORDERED = 0;
    private static final int ORDERING = 1;
    private static final int ORDERED = 2;
    private static final int NOT_EMITTED = 0;
    private static final int EMITTING = 1;
    private static final int EMITTED = 2;

    private static final String TABS = "\t".repeat(13);
    private static final String[] PAD_TYPES = {"long", "int", "short", "char"};

    private final Btf btf;
    private final StringBuilder out;
    private final CTypeNames names;
    private final int ptrSize;
    private final int[] padBits;

    private final byte[] orderState;
    private final byte[] emitState;
    private final boolean[] fwdEmitted;
    /** Whether another type refers to this one: an anonymous enum nobody uses is a top-level constant list. */
    private final boolean[] referenced;
    /** Types the ordering pass is inside of, for the kinds libbpf has no state for (cycle detection). */
    private final boolean[] visiting;
    /** The kind of every type (K_VOID for 0), noted by markReferenced: the switches ask it often. */
    private final byte[] kinds;
    /** btf__align_of per type, +1 (0 = not computed yet); -1 while being computed. */
    private final int[] alignPlusOne;

    private int[] queue = new int[64];
    private int queued;
    private int[] stack = new int[64];
    private int stackTop;
    private int nesting;

    CTypeWriter(Btf btf, StringBuilder out) {
        this.btf = btf;
        this.out = out;
        this.names = new CTypeNames(btf);
        this.ptrSize = btf.pointerSize();
        this.padBits = new int[] {ptrSize * 8, 32, 16, 8};
        int n = btf.typeCount();
        orderState = new byte[n];
        emitState = new byte[n];
        fwdEmitted = new boolean[n];
        referenced = new boolean[n];
        visiting = new boolean[n];
        alignPlusOne = new int[n];
        kinds = new byte[n];
        orderState[0] = ORDERED;
        emitState[0] = EMITTED;
        markReferenced();
    }

    CTypeNames names() {
        return names;
    }

    /** Writes {@code id} and every type it needs that is not written yet (bpftool's btf_dump__dump_type). */
    void dumpType(int id) {
        queued = 0;
        order(id, false);
        for (int i = 0; i < queued; i++) {
            emitType(queue[i], 0);
        }
    }

    /**
     * Declares function {@code func} as a kfunc: {@code extern RET NAME(PARAMS) __weak __ksym;}
     * and a newline, the line bpftool 7.5 writes for a FUNC tagged {@code bpf_kfunc}. The types
     * it names must have been written already (they have, once every type was dumped).
     */
    void kfuncPrototype(BtfType.Func func) {
        if (btf.kind(func.type()) != BtfKind.FUNC_PROTO) {
            String is = func.type() == 0 ? "void" : btf.kind(func.type()).label();
            throw Btf.bad(-1, "type [" + func.id() + "] (FUNC '" + func.name() + "') is tagged bpf_kfunc, but its type ["
                    + func.type() + "] is " + is + ", not a FUNC_PROTO: no C prototype can be written for it");
        }
        out.append("extern ");
        typeDeclaration(func.type(), func.name(), 0);
        out.append(" __weak __ksym;\n");
    }

    // ---- which types are referenced ----

    /**
     * Reads the referenced ids straight from the blob rather than from decoded types: most of
     * vmlinux's types are functions and their prototypes, which the header never writes (bar
     * the kfuncs), so decoding them (a string per parameter) would be most of the work. It
     * checks every entry as {@link Btf#type} would, so a bad blob fails here, at the same type
     * and with the same message, and later raw reads can trust what they read.
     */
    private void markReferenced() {
        markReferenced(btf);
    }

    /**
     * The types stored in {@code owner}, after its base's (split BTF), in calls of MARK_CHUNK
     * types, not one loop: a cold JVM compiles a called method after a hundred-odd calls, a
     * running loop only after ~60,000 turns (see Btf's scan).
     */
    private void markReferenced(Btf owner) {
        if (owner.base().isPresent()) {
            markReferenced(owner.base().get());
        }
        for (int id = owner.firstId(), n = owner.typeCount(); id < n; id += MARK_CHUNK) {
            markReferenced(owner, id, Math.min(n, id + MARK_CHUNK));
        }
    }

    private static final int MARK_CHUNK = 16;

    /**
     * Types {@code from .. to-1}, all stored in {@code owner}. Works on the type section's words
     * with the limits in locals and calls only on the error path: until C1 has compiled it
     * (late, as its queue is long while a JVM starts), the interpreter runs this for tens of
     * thousands of types, and there every call counts.
     */
    private void markReferenced(Btf owner, int from, int to) {
        int[] w = owner.words();
        int strLimit = owner.stringsEnd();
        int typeLimit = owner.typeCount();
        for (int id = from; id < to; id++) {
            int at = owner.wordIndex(id);
            int info = w[at + 1];
            int kind = (info >>> 24) & 0x1f;
            int vlen = info & 0xffff;
            int p = at + 3;
            kinds[id] = (byte) kind;
            switch (kind) {
                case Btf.K_PTR, Btf.K_TYPEDEF, Btf.K_VOLATILE, Btf.K_CONST, Btf.K_RESTRICT, Btf.K_FUNC, Btf.K_VAR,
                     Btf.K_DECL_TAG, Btf.K_TYPE_TAG -> referenced[w[at + 2]] = true;
                case Btf.K_ARRAY -> {
                    referenced[w[p + 1]] = true;
                    referenced[w[p]] = true;
                }
                case Btf.K_STRUCT, Btf.K_UNION, Btf.K_FUNC_PROTO -> {
                    int step = kind == Btf.K_FUNC_PROTO ? 2 : 3;
                    for (int i = 0; i < vlen; i++, p += step) {
                        int name = w[p];
                        int ref = w[p + 1];
                        // Unsigned comparisons (the limits are below 2^31): a negative word is out of range.
                        if (name < 0 || name >= strLimit || ref < 0 || ref >= typeLimit) {
                            badEntry(owner, id, at, p, true, true);
                        }
                        referenced[ref] = true;
                    }
                }
                case Btf.K_ENUM, Btf.K_ENUM64 -> {
                    int step = kind == Btf.K_ENUM ? 2 : 3;
                    for (int i = 0; i < vlen; i++, p += step) {
                        int name = w[p];
                        if (name < 0 || name >= strLimit) {
                            badEntry(owner, id, at, p, true, false);
                        }
                    }
                }
                case Btf.K_DATASEC -> {
                    for (int i = 0; i < vlen; i++, p += 3) {
                        int ref = w[p];
                        if (ref < 0 || ref >= typeLimit) {
                            badEntry(owner, id, at, p, false, true);
                        }
                        referenced[ref] = true;
                    }
                }
                default -> {
                }
            }
        }
    }

    /**
     * Throws what {@link Btf#checkedName} or {@link Btf#checkedRef} says about the entry at word
     * {@code p} of type {@code id} (whose header is at word {@code at}), name first as
     * {@link Btf#type} checks it: one of them is out of range.
     */
    private static void badEntry(Btf owner, int id, int at, int p, boolean named, boolean typed) {
        long entry = owner.typeOffset(id) + 4L * (p - at);
        if (named) {
            owner.checkedName(entry, id);
        }
        if (typed) {
            owner.checkedRef(named ? entry + 4 : entry, id);
        }
        throw new IllegalStateException("type [" + id + "]: an entry out of range passed both checks");
    }

    /** The blob that stores {@code id}: this one, or for split BTF one of its bases. */
    private Btf owner(int id) {
        Btf owner = btf;
        while (id < owner.firstId()) {
            owner = owner.base().orElseThrow();
        }
        return owner;
    }

    // ---- ordering ----

    /**
     * Queues the named definitions {@code id} needs, dependencies first.
     *
     * @return 1 when {@code id} is a strong link (must be complete where used), 0 when weak
     */
    private int order(int id, boolean throughPtr) {
        if (orderState[id] == ORDERED) {
            return 1;
        }
        // Functions, variables, sections and tags declare nothing a type needs, and prototypes
        // only lead on: read from the blob, not decoded (they are most of vmlinux's types).
        switch (kinds[id]) {
            case Btf.K_FUNC, Btf.K_VAR, Btf.K_DATASEC, Btf.K_DECL_TAG -> {
                enter(id);
                nesting--;
                return ordered(id, 0);
            }
            case Btf.K_FUNC_PROTO -> {
                enter(id);
                try {
                    return orderPrototype(id, throughPtr);
                } finally {
                    nesting--;
                }
            }
            default -> {
            }
        }
        BtfType t = btf.type(id);
        if (orderState[id] == ORDERING) {
            if (t instanceof BtfType.Composite && throughPtr && !t.name().isEmpty()) {
                return 0; // a loop through a pointer to a named struct: a forward declaration breaks it
            }
            throw cycle(id, "contains itself by value (or through an anonymous type)");
        }
        enter(id);
        try {
            // Switches on the kind, not on the record's class: a pattern switch is a
            // run-time-spun type test chain (with an index check) that C1 calls, not inlines.
            return switch (kinds[id]) {
                case Btf.K_INT, Btf.K_FLOAT -> ordered(id, 0);
                case Btf.K_PTR -> {
                    int r = visit(id, ((BtfType.Ptr) t).type(), true);
                    orderState[id] = ORDERED;
                    yield r;
                }
                case Btf.K_ARRAY -> visit(id, ((BtfType.Array) t).type(), false);
                case Btf.K_STRUCT, Btf.K_UNION -> {
                    BtfType.Composite c = (BtfType.Composite) t;
                    if (throughPtr && !c.name().isEmpty()) {
                        yield 0;
                    }
                    orderState[id] = ORDERING;
                    List<BtfType.Member> members = c.members();
                    for (int i = 0, n = members.size(); i < n; i++) {
                        BtfType.Member m = members.get(i);
                        order(m.type(), false);
                    }
                    if (!c.name().isEmpty()) {
                        enqueue(id);
                    }
                    yield ordered(id, 1);
                }
                case Btf.K_ENUM, Btf.K_ENUM64, Btf.K_FWD -> {
                    if (!t.name().isEmpty() || !referenced[id]) {
                        enqueue(id);
                    }
                    yield ordered(id, 1);
                }
                case Btf.K_TYPEDEF -> {
                    BtfType.Typedef td = (BtfType.Typedef) t;
                    // Not visit(): a typedef of a struct is met again inside that struct, through
                    // a pointer; the struct's own state ends that loop.
                    int strong = order(td.type(), throughPtr);
                    if (throughPtr && strong == 0) {
                        yield 0; // like a named struct, a typedef used through a pointer may come later
                    }
                    enqueue(id);
                    yield ordered(id, 1);
                }
                case Btf.K_CONST, Btf.K_VOLATILE, Btf.K_RESTRICT, Btf.K_TYPE_TAG ->
                        visit(id, ((BtfType.Reference) t).type(), throughPtr);
                case Btf.K_FUNC_PROTO -> orderPrototype(id, throughPtr);
                case Btf.K_FUNC, Btf.K_VAR, Btf.K_DATASEC, Btf.K_DECL_TAG -> ordered(id, 0);
                default -> 1; // void
            };
        } finally {
            nesting--;
        }
    }

    /** Orders a prototype's return and parameter types, read from the blob (markReferenced checked them). */
    private int orderPrototype(int id, boolean throughPtr) {
        Btf owner = owner(id);
        long at = owner.typeOffset(id);
        int vlen = owner.u32(at + 4) & 0xffff;
        int strong = visit(id, owner.u32(at + 8), throughPtr);
        long p = at + Btf.TYPE_HEADER_SIZE + 4;
        for (int i = 0; i < vlen; i++, p += 8) {
            strong |= visit(id, owner.u32(p), throughPtr);
        }
        return strong;
    }

    /** Orders {@code next} on behalf of a pointer, array, modifier or prototype {@code via}. */
    private int visit(int via, int next, boolean throughPtr) {
        if (visiting[via]) {
            throw cycle(via, "refers back to itself without a named struct or union in between");
        }
        visiting[via] = true;
        try {
            return order(next, throughPtr);
        } finally {
            visiting[via] = false;
        }
    }

    private int ordered(int id, int strong) {
        orderState[id] = ORDERED;
        return strong;
    }

    private void enqueue(int id) {
        if (queued == queue.length) {
            queue = Arrays.copyOf(queue, queued * 2);
        }
        queue[queued++] = id;
    }

    private void enter(int id) {
        if (++nesting > MAX_NESTING) {
            throw Btf.bad(-1, "type [" + id + "] is nested more than " + MAX_NESTING
                    + " types deep; a C header cannot be written for it");
        }
    }

    private static ObjectFormatException cycle(int id, String what) {
        return Btf.bad(-1, "type [" + id + "] " + what + ": C cannot declare such a type");
    }

    // ---- emitting ----

    /** bpftool's btf_dump_emit_type: definitions (and forward declarations) for {@code id}. */
    private void emitType(int id, int containerId) {
        if (emitState[id] == EMITTED) {
            return;
        }
        BtfType t = btf.type(id);
        if (emitState[id] == EMITTING) {
            emitForwardWhileEmitting(id, t, containerId);
            return;
        }
        boolean topLevel = containerId == 0;
        enter(id);
        try {
            switch (kinds[id]) { // the kind, not a pattern switch: see order()
                case Btf.K_INT -> {
                    emitMissingAlias(id);
                    emitState[id] = EMITTED;
                }
                case Btf.K_ENUM, Btf.K_ENUM64 -> {
                    if (topLevel) {
                        enumDefinition(id, (BtfType.Enumeration) t, 0);
                        out.append(";\n\n");
                    }
                    emitState[id] = EMITTED;
                }
                case Btf.K_PTR, Btf.K_CONST, Btf.K_VOLATILE, Btf.K_RESTRICT, Btf.K_TYPE_TAG ->
                        emitType(((BtfType.Reference) t).type(), containerId);
                case Btf.K_ARRAY -> emitType(((BtfType.Array) t).type(), containerId);
                case Btf.K_FWD -> {
                    forwardDefinition(id, (BtfType.Fwd) t);
                    out.append(";\n\n");
                    emitState[id] = EMITTED;
                }
                case Btf.K_TYPEDEF -> {
                    BtfType.Typedef td = (BtfType.Typedef) t;
                    emitState[id] = EMITTING;
                    emitType(td.type(), id);
                    // Someone may have needed this typedef through a pointer meanwhile, which
                    // wrote it already (a typedef is its own forward declaration).
                    if (!fwdEmitted[id] && !isBuiltin(id)) {
                        typedefDefinition(id, td, 0);
                        out.append(";\n\n");
                    }
                    emitState[id] = EMITTED;
                }
                case Btf.K_STRUCT, Btf.K_UNION -> {
                    BtfType.Composite c = (BtfType.Composite) t;
                    emitState[id] = EMITTING;
                    boolean anonymous = c.name().isEmpty();
                    if (topLevel || anonymous) {
                        // The members are written out here: what they use must be declared first.
                        int inner = anonymous ? containerId : id;
                        List<BtfType.Member> members = c.members();
                        for (int i = 0, n = members.size(); i < n; i++) {
                            BtfType.Member m = members.get(i);
                            emitType(m.type(), inner);
                        }
                    } else if (!fwdEmitted[id] && id != containerId) {
                        structForward(id, c);
                        out.append(";\n\n");
                        fwdEmitted[id] = true;
                    }
                    if (topLevel) {
                        structDefinition(id, c, 0);
                        out.append(";\n\n");
                        emitState[id] = EMITTED;
                    } else {
                        emitState[id] = NOT_EMITTED;
                    }
                }
                case Btf.K_FUNC_PROTO -> {
                    BtfType.FuncProto p = (BtfType.FuncProto) t;
                    emitType(p.returnType(), containerId);
                    List<BtfType.Param> params = p.params();
                    for (int i = 0, n = params.size(); i < n; i++) {
                        BtfType.Param pa = params.get(i);
                        emitType(pa.type(), containerId);
                    }
                }
                default -> {
                }
            }
        } finally {
            nesting--;
        }
    }

    /** A type met again while it is being written: a forward declaration breaks the loop. */
    private void emitForwardWhileEmitting(int id, BtfType t, int containerId) {
        if (fwdEmitted[id]) {
            return;
        }
        switch (kinds[id]) {
            case Btf.K_STRUCT, Btf.K_UNION -> {
                BtfType.Composite c = (BtfType.Composite) t;
                if (id == containerId) {
                    return; // a pointer to the struct being defined needs no declaration
                }
                if (c.name().isEmpty()) {
                    throw cycle(id, "is an anonymous struct or union that contains itself");
                }
                structForward(id, c);
                out.append(";\n\n");
                fwdEmitted[id] = true;
            }
            case Btf.K_TYPEDEF -> {
                if (!isBuiltin(id)) {
                    typedefDefinition(id, (BtfType.Typedef) t, 0);
                    out.append(";\n\n");
                }
                fwdEmitted[id] = true;
            }
            default -> {
            }
        }
    }

    /** {@code __builtin_va_list} is the compiler's own: redefining it breaks compilation. */
    private boolean isBuiltin(int id) {
        return btf.type(id).name().equals("__builtin_va_list");
    }

    /** GCC's ARM SIMD types BTF may mention but no compiler defines (libbpf adds the same typedefs). */
    private void emitMissingAlias(int id) {
        // Naming the int here, even when no alias is written, keeps the ___N numbering libbpf's.
        String name = names.tag(id);
        String alias = switch (btf.type(id).name()) {
            case "__Poly8_t" -> "unsigned char";
            case "__Poly16_t" -> "unsigned short";
            case "__Poly64_t" -> "unsigned long long";
            case "__Poly128_t" -> "unsigned __int128";
            default -> null;
        };
        if (alias != null) {
            out.append("typedef ").append(alias).append(' ').append(name).append(";\n\n");
        }
    }

    // ---- definitions ----

    private void structForward(int id, BtfType.Composite c) {
        out.append(c instanceof BtfType.Struct ? "struct" : "union");
        String tag = names.tag(id);
        if (!c.name().isEmpty()) {
            out.append(' ');
        }
        out.append(tag);
    }

    private void structDefinition(int id, BtfType.Composite c, int lvl) {
        boolean isStruct = c instanceof BtfType.Struct;
        int align = alignOf(id);
        boolean packed = isStruct && isPacked(c);
        structForward(id, c);
        out.append(" {");
        long off = 0;
        boolean prevBitfield = false;
        List<BtfType.Member> members = c.members();
        for (int i = 0, n = members.size(); i < n; i++) {
            BtfType.Member m = members.get(i);
            int bits = m.bitfieldSize();
            long mOff = m.bitOffset();
            int mAlign = packed ? 1 : alignOf(m.type());
            bitPadding(id, off, mOff, mAlign, prevBitfield && bits != 0, lvl + 1);
            out.append('\n');
            indent(lvl + 1);
            typeDeclaration(m.type(), m.name(), lvl + 1);
            if (bits != 0) {
                out.append(": ").append(bits);
                off = mOff + bits;
                prevBitfield = true;
            } else {
                off = mOff + Math.max(0, btf.resolveSize(m.type())) * 8;
                prevBitfield = false;
            }
            out.append(';');
        }
        int unionAlign = 0;
        if (isStruct) {
            bitPadding(id, off, c.size() * 8, align, false, lvl + 1);
        } else {
            unionAlign = unionPadding(c, lvl + 1);
        }
        if (!c.members().isEmpty() || c.size() != 0) {
            out.append('\n');
            indent(lvl);
        }
        out.append('}');
        if (packed) {
            out.append(" __attribute__((packed))");
        }
        if (unionAlign != 0) {
            out.append(" __attribute__((aligned(").append(unionAlign).append(")))");
        }
    }

    /**
     * A union BTF says is larger than its members make it in C (bpftool leaves these too
     * small): members pahole dropped, or an {@code __aligned} union. Up to a long, an unnamed
     * bitfield of the whole size makes up the difference (in a union it adds size, not
     * alignment); beyond that, an {@code aligned} attribute where one gives the size.
     *
     * @return the alignment to declare after the closing brace, or 0
     */
    private int unionPadding(BtfType.Composite c, int lvl) {
        long natural = naturalUnionSize(c);
        if (c.size() <= natural) {
            return 0;
        }
        long bits = c.size() * 8;
        for (int i = PAD_TYPES.length - 1; i >= 0; i--) {
            if (padBits[i] >= bits) {
                padLine(PAD_TYPES[i], bits, lvl);
                return 0;
            }
        }
        return unionAlignAttribute(c);
    }

    /** The size C gives a union of these members: the largest, rounded up to the strictest alignment. */
    private long naturalUnionSize(BtfType.Composite c) {
        long max = 0;
        int maxAlign = 1;
        List<BtfType.Member> members = c.members();
        for (int i = 0, n = members.size(); i < n; i++) {
            BtfType.Member m = members.get(i);
            long bytes = m.isBitfield() ? (m.bitfieldSize() + 7) / 8 : Math.max(0, btf.resolveSize(m.type()));
            max = Math.max(max, bytes);
            maxAlign = Math.max(maxAlign, alignOf(m.type()));
        }
        return roundUp(max, maxAlign);
    }

    /**
     * The alignment that makes C's size of a union its BTF size (a power of two up to 4096 that
     * the size is a multiple of), or 0 when none does or none is needed.
     */
    private int unionAlignAttribute(BtfType.Composite c) {
        long natural = naturalUnionSize(c);
        if (c.size() <= natural || c.size() * 8 <= padBits[0]) {
            return 0;
        }
        long largest = 0;
        List<BtfType.Member> members = c.members();
        for (int i = 0, n = members.size(); i < n; i++) {
            BtfType.Member m = members.get(i);
            largest = Math.max(largest, m.isBitfield() ? (m.bitfieldSize() + 7) / 8 : Math.max(0, btf.resolveSize(m.type())));
        }
        for (int a = 2; a <= 4096; a *= 2) {
            if (c.size() % a == 0 && roundUp(largest, a) == c.size()) {
                return a;
            }
        }
        return 0;
    }

    /**
     * Whether a struct only has its layout with {@code packed}: a member off its natural
     * alignment, or a size that is not a multiple of the alignment.
     */
    private boolean isPacked(BtfType.Composite c) {
        int maxAlign = 1;
        List<BtfType.Member> members = c.members();
        for (int i = 0, n = members.size(); i < n; i++) {
            BtfType.Member m = members.get(i);
            int a = alignOf(m.type());
            if (a != 0 && m.bitfieldSize() == 0 && m.bitOffset() % (8L * a) != 0) {
                return true;
            }
            maxAlign = Math.max(a, maxAlign);
        }
        return c.size() % maxAlign != 0;
    }

    /**
     * Fills the bits between {@code cur} and {@code next} with unnamed bitfields ({@code long: 64;}
     * and smaller), relying on natural alignment where the compiler would pad anyway, as libbpf
     * does (its comments explain each case).
     */
    private void bitPadding(int id, long cur, long next, int nextAlign, boolean inBitfield, int lvl) {
        if (cur >= next) {
            return;
        }
        if ((next - cur) / 64 > MAX_PADDING_LINES) {
            throw Btf.bad(-1, "type [" + id + "] has a gap of " + (next - cur) / 8
                    + " bytes between members, more padding than a header should spell out");
        }
        long newOff = 0;
        int bits = 0;
        String type = null;
        for (int i = 0; i < PAD_TYPES.length; i++) {
            bits = padBits[i];
            type = PAD_TYPES[i];
            newOff = roundUp(cur, bits);
            if (newOff <= next) {
                break;
            }
        }
        if (newOff > cur && newOff <= next) {
            if (inBitfield
                    || (newOff == next && roundUp(cur, Math.max(1, nextAlign) * 8L) != newOff)
                    || (newOff != next && next - newOff <= newOff - cur)) {
                padLine(type, inBitfield ? newOff - cur : 0, lvl);
            }
            cur = newOff;
        }
        while (cur != next) {
            long gap = Math.min(next - cur, bits);
            if (gap == bits) {
                padLine(type, bits, lvl);
                cur += gap;
                continue;
            }
            // The last piece: the smallest type that holds it.
            for (int i = PAD_TYPES.length - 1; i >= 0; i--) {
                type = PAD_TYPES[i];
                bits = padBits[i];
                if (bits >= gap) {
                    padLine(type, gap, lvl);
                    cur += gap;
                    break;
                }
            }
        }
    }

    private void padLine(String type, long bits, int lvl) {
        out.append('\n');
        indent(lvl);
        out.append(type).append(": ").append(bits).append(';');
    }

    private static long roundUp(long x, long to) {
        return (x + to - 1) / to * to;
    }

    private void enumDefinition(int id, BtfType.Enumeration e, int lvl) {
        out.append("enum");
        String tag = names.tag(id);
        if (!e.name().isEmpty()) {
            out.append(' ');
        }
        out.append(tag);
        List<BtfType.EnumValue> values = e.values();
        if (values.isEmpty()) {
            return;
        }
        out.append(" {");
        boolean is64 = e instanceof BtfType.Enum64;
        boolean allFit32 = true;
        for (int i = 0, n = values.size(); i < n; i++) {
            BtfType.EnumValue v = values.get(i);
            out.append('\n');
            indent(lvl + 1);
            out.append(names.enumerator(v.name())).append(" = ");
            long val = v.value();
            if (!is64) {
                // ENUM values print as C's %d or %u of the 32-bit value.
                out.append(e.signed() ? (int) val : val & 0xFFFF_FFFFL);
            } else if (e.signed()) {
                out.append(val).append("LL");
            } else {
                out.append(Long.toUnsignedString(val)).append("ULL");
            }
            out.append(',');
            allFit32 &= (val >>> 32) == 0;
        }
        out.append('\n');
        indent(lvl);
        out.append('}');
        if (e.size() == 1) {
            out.append(" __attribute__((mode(byte)))");
        } else if (e.size() == 8 && ptrSize == 8 && (!is64 || allFit32)) {
            // A 32-bit ENUM can only be 8 bytes with mode(word); an ENUM64 becomes 8 bytes
            // by itself once a value needs more than 32 bits.
            out.append(" __attribute__((mode(word)))");
        }
    }

    private void forwardDefinition(int id, BtfType.Fwd f) {
        out.append(f.union() ? "union " : "struct ").append(names.tag(id));
    }

    private void typedefDefinition(int id, BtfType.Typedef td, int lvl) {
        String name = names.ident(id);
        if (td.type() == 0 && name.equals("__gnuc_va_list")) {
            // Old GCC wrote this typedef as one of void.
            out.append("typedef __builtin_va_list __gnuc_va_list");
            return;
        }
        out.append("typedef ");
        typeDeclaration(td.type(), name, lvl);
    }

    // ---- declarations: a type chain in C's inside-out syntax ----

    /**
     * Declares {@code name} with type {@code id} ({@code name} may be empty, as for a cast):
     * the chain of pointers, arrays, modifiers and prototypes down to a named or anonymous base
     * type, written out the way C wants it.
     */
    void typeDeclaration(int id, String name, int lvl) {
        int start = stackTop;
        int cur = id;
        while (true) {
            push(cur, start);
            if (cur == 0) {
                break;
            }
            BtfType t = btf.type(cur);
            int next = switch (kinds[cur]) { // the kind, not a pattern switch: see order()
                case Btf.K_PTR, Btf.K_CONST, Btf.K_VOLATILE, Btf.K_RESTRICT, Btf.K_TYPE_TAG ->
                        ((BtfType.Reference) t).type();
                case Btf.K_FUNC_PROTO -> ((BtfType.FuncProto) t).returnType();
                case Btf.K_ARRAY -> ((BtfType.Array) t).type();
                case Btf.K_INT, Btf.K_FLOAT, Btf.K_ENUM, Btf.K_ENUM64, Btf.K_FWD, Btf.K_STRUCT, Btf.K_UNION,
                     Btf.K_TYPEDEF -> -1;
                default -> throw Btf.bad(-1, "type [" + cur + "] (" + t.kind().label()
                        + ") is used as the type of a declaration (in type [" + id + "]); C has no such type");
            };
            if (next < 0) {
                break;
            }
            cur = next;
        }
        enter(id);
        try {
            typeChain(new Frame(start, stackTop - start), name, lvl);
        } finally {
            nesting--;
            stackTop = start;
        }
    }

    private void push(int id, int start) {
        if (stackTop - start > MAX_NESTING) {
            stackTop = start;
            throw Btf.bad(-1, "type [" + id + "] is a chain of more than " + MAX_NESTING
                    + " pointers, arrays and modifiers: the type graph has a cycle");
        }
        if (stackTop == stack.length) {
            stack = Arrays.copyOf(stack, stackTop * 2);
        }
        stack[stackTop++] = id;
    }

    /** A view of part of the shared stack: the chain of one declaration, innermost type on top. */
    private final class Frame {
        final int base;
        int count;

        Frame(int base, int count) {
            this.base = base;
            this.count = count;
        }

        int peek() {
            return stack[base + count - 1];
        }

        int pop() {
            return stack[base + --count];
        }
    }

    private void typeChain(Frame decls, String fname, int lvl) {
        boolean lastWasPtr = true;
        while (decls.count > 0) {
            int id = decls.pop();
            if (id == 0) {
                emitModifiers(decls);
                out.append("void");
                lastWasPtr = false;
                continue;
            }
            BtfType t = btf.type(id);
            switch (kinds[id]) { // the kind, not a pattern switch: see order()
                case Btf.K_INT, Btf.K_FLOAT -> {
                    emitModifiers(decls);
                    out.append(t.name());
                }
                case Btf.K_STRUCT, Btf.K_UNION -> {
                    BtfType.Composite c = (BtfType.Composite) t;
                    emitModifiers(decls);
                    if (c.name().isEmpty()) {
                        structDefinition(id, c, lvl); // anonymous: defined inline
                    } else {
                        structForward(id, c);
                    }
                }
                case Btf.K_ENUM, Btf.K_ENUM64 -> {
                    emitModifiers(decls);
                    if (t.name().isEmpty()) {
                        enumDefinition(id, (BtfType.Enumeration) t, lvl);
                    } else {
                        out.append("enum ").append(names.tag(id));
                    }
                }
                case Btf.K_FWD -> {
                    emitModifiers(decls);
                    forwardDefinition(id, (BtfType.Fwd) t);
                }
                case Btf.K_TYPEDEF -> {
                    emitModifiers(decls);
                    out.append(names.ident(id));
                }
                case Btf.K_PTR -> out.append(lastWasPtr ? "*" : " *");
                case Btf.K_VOLATILE -> out.append(" volatile");
                case Btf.K_CONST -> out.append(" const");
                case Btf.K_RESTRICT -> out.append(" restrict");
                case Btf.K_TYPE_TAG -> {
                    emitModifiers(decls);
                    if (isAttributeTag(id)) {
                        out.append(" __attribute__((").append(t.name()).append("))");
                    } else {
                        out.append(" __attribute__((btf_type_tag(\"").append(t.name()).append("\")))");
                    }
                }
                case Btf.K_ARRAY -> {
                    arrayDeclarator((BtfType.Array) t, decls, fname, lastWasPtr, lvl);
                    return;
                }
                case Btf.K_FUNC_PROTO -> {
                    prototypeDeclarator((BtfType.FuncProto) t, decls, fname, lastWasPtr, lvl);
                    return;
                }
                default -> throw Btf.bad(-1, "type [" + id + "] (" + t.kind().label() + ") cannot be part of a C declaration");
            }
            lastWasPtr = t instanceof BtfType.Ptr;
        }
        name(fname, lastWasPtr);
    }

    private void arrayDeclarator(BtfType.Array a, Frame decls, String fname, boolean lastWasPtr, int lvl) {
        // const/volatile on an array itself (GCC writes them for arrays of const) mean nothing in C.
        dropModifiers(decls);
        if (decls.count == 0) {
            name(fname, lastWasPtr);
            out.append('[').append(a.elements()).append(']');
            return;
        }
        boolean multiDimensional = btf.kind(decls.peek()) == BtfKind.ARRAY;
        if (!fname.isEmpty() && !lastWasPtr) {
            out.append(' ');
        }
        if (!multiDimensional) {
            out.append('(');
        }
        typeChain(decls, fname, lvl);
        if (!multiDimensional) {
            out.append(')');
        }
        out.append('[').append(a.elements()).append(']');
    }

    private void prototypeDeclarator(BtfType.FuncProto p, Frame decls, String fname, boolean lastWasPtr, int lvl) {
        // GCC marks noreturn function pointers volatile; C does not need it.
        dropModifiers(decls);
        if (decls.count > 0) {
            out.append(" (");
            typeChain(decls, fname, lvl);
            out.append(')');
        } else {
            name(fname, lastWasPtr);
        }
        out.append('(');
        List<BtfType.Param> params = p.params();
        int n = params.size();
        // No parameters: pahole writes none, clang one of type void; either way C says (void).
        if (n == 0 || (n == 1 && params.getFirst().type() == 0)) {
            out.append("void)");
            return;
        }
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out.append(", ");
            }
            BtfType.Param pa = params.get(i);
            if (i == n - 1 && pa.type() == 0) {
                out.append("...");
                break;
            }
            typeDeclaration(pa.type(), pa.name(), lvl);
        }
        out.append(')');
    }

    private void emitModifiers(Frame decls) {
        while (decls.count > 0) {
            String word = switch (btf.kind(decls.peek())) {
                case VOLATILE -> "volatile ";
                case CONST -> "const ";
                case RESTRICT -> "restrict ";
                default -> null;
            };
            if (word == null) {
                return;
            }
            out.append(word);
            decls.count--;
        }
    }

    private void dropModifiers(Frame decls) {
        while (decls.count > 0 && btf.kind(decls.peek()).isModifier()) {
            decls.count--;
        }
    }

    private void name(String fname, boolean lastWasPtr) {
        if (!fname.isEmpty() && !lastWasPtr) {
            out.append(' ');
        }
        out.append(fname);
    }

    private void indent(int lvl) {
        out.append(TABS, 0, Math.min(lvl, TABS.length()));
    }

    /**
     * A type tag with the kind flag set is a plain C attribute ({@code address_space(1)}), not
     * a {@code btf_type_tag} (kernels since 6.12 write these; libbpf prints them as attributes).
     */
    private boolean isAttributeTag(int id) {
        Btf owner = owner(id);
        return owner.u32(owner.typeOffset(id) + 4) < 0;
    }

    // ---- alignment ----

    /**
     * The alignment a C compiler gives the type as the header declares it (libbpf's
     * {@code btf__align_of}): 1 for a struct that must be packed; 0 for kinds that have none.
     */
    int alignOf(int id) {
        int cached = alignPlusOne[id];
        if (cached > 0) {
            return cached - 1;
        }
        if (cached < 0) {
            throw cycle(id, "contains itself by value");
        }
        alignPlusOne[id] = -1;
        enter(id);
        int a;
        try {
            a = computeAlign(id, btf.type(id));
        } finally {
            nesting--;
        }
        alignPlusOne[id] = a + 1;
        return a;
    }

    private int computeAlign(int id, BtfType t) {
        return switch (kinds[id]) { // the kind, not a pattern switch: see order()
            case Btf.K_INT -> (int) Math.min(ptrSize, ((BtfType.Int) t).size());
            case Btf.K_ENUM, Btf.K_ENUM64 -> (int) Math.min(ptrSize, ((BtfType.Enumeration) t).size());
            case Btf.K_FLOAT -> (int) Math.min(ptrSize, ((BtfType.Float) t).size());
            case Btf.K_PTR -> ptrSize;
            case Btf.K_TYPEDEF, Btf.K_CONST, Btf.K_VOLATILE, Btf.K_RESTRICT, Btf.K_TYPE_TAG ->
                    alignOf(((BtfType.Reference) t).type());
            case Btf.K_ARRAY -> alignOf(((BtfType.Array) t).type());
            case Btf.K_STRUCT, Btf.K_UNION -> {
                BtfType.Composite c = (BtfType.Composite) t;
                int max = 1;
                List<BtfType.Member> members = c.members();
                for (int i = 0, n = members.size(); i < n; i++) {
                    BtfType.Member m = members.get(i);
                    int a = alignOf(m.type());
                    if (a <= 0) {
                        yield 0;
                    }
                    max = Math.max(max, a);
                    if (m.bitfieldSize() == 0 && m.bitOffset() % (8L * a) != 0) {
                        yield 1;
                    }
                }
                if (c.size() % max != 0) {
                    yield 1;
                }
                yield c instanceof BtfType.Union ? Math.max(max, unionAlignAttribute(c)) : max;
            }
            default -> 0;
        };
    }
}
