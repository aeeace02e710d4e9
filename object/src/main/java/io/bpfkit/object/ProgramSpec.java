package io.bpfkit.object;

import io.bpfkit.api.LoadException;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;

/**
 * One program (or subprogram) of an object: its instructions as they are in the file, the
 * relocations to apply to a copy of them at load, its BTF func and line info and CO-RE
 * relocation records, and how it loads and attaches, derived from its section name by
 * libbpf's SEC() rules. Plain data, adjustable before load; {@link #copy()} gives an
 * independent copy.
 *
 * <pre>{@code
 * ProgramSpec p = spec.program("handle_exec").orElseThrow();
 * p.type();                      // TRACEPOINT, from SEC("tp/sched/sched_process_exec")
 * p.autoload(false);             // leave it out of the next load
 * }</pre>
 */
public final class ProgramSpec {
    private final String name;
    private final String section;
    private final SectionDef sectionDef;
    private final long sectionOffset;
    private final boolean subprogram;
    private final ByteOrder order;
    private final byte[] instructions;
    private final List<Relocation> relocations;
    private final ProgramExtInfo extInfo;
    private ProgramType type;
    private AttachType expectedAttachType;
    private String attachTo;
    private AttachTarget attachTarget;
    private int flags;
    private boolean autoload;
    private boolean global;
    private boolean hiddenGlobal;

    ProgramSpec(String name, String section, SectionDef sectionDef, long sectionOffset, boolean subprogram,
                ByteOrder order, byte[] instructions, List<Relocation> relocations, ProgramExtInfo extInfo) {
        this.name = Objects.requireNonNull(name, "name");
        this.section = Objects.requireNonNull(section, "section");
        this.sectionDef = Objects.requireNonNull(sectionDef, "sectionDef");
        this.sectionOffset = sectionOffset;
        this.subprogram = subprogram;
        this.order = order;
        this.instructions = instructions;
        this.relocations = List.copyOf(relocations);
        this.extInfo = extInfo;
        this.type = sectionDef.programType();
        this.expectedAttachType = sectionDef.expectedAttachType();
        this.attachTo = sectionTarget(sectionDef);
        this.flags = sectionDef.progFlags();
        this.autoload = !subprogram && sectionDef.autoload();
    }

    /** A program as first read, before its relocations and BTF.ext records are attached. */
    static ProgramSpec partial(String name, String section, SectionDef def, long sectionOffset, boolean subprogram,
                               ByteOrder order, byte[] instructions) {
        return new ProgramSpec(name, section, def, sectionOffset, subprogram, order, instructions, List.of(),
                ProgramExtInfo.EMPTY);
    }

    /** The instructions without a copy, for the opener and loader, which never modify them. */
    byte[] instructionsUnsafe() {
        return instructions;
    }

    /** The part of a known section name after its rule's prefix: what the program attaches to. */
    private static String sectionTarget(SectionDef def) {
        String prefix = def.prefix();
        String sec = def.programSection();
        if (prefix == null || sec.length() <= prefix.length() + 1 || !sec.startsWith(prefix)) {
            return null;
        }
        return sec.substring(prefix.length() + 1);
    }

    /** A copy whose adjustable fields can change without touching this one. */
    public ProgramSpec copy() {
        ProgramSpec c = new ProgramSpec(name, section, sectionDef, sectionOffset, subprogram, order, instructions,
                relocations, extInfo);
        c.type = type;
        c.expectedAttachType = expectedAttachType;
        c.attachTo = attachTo;
        c.attachTarget = attachTarget;
        c.flags = flags;
        c.autoload = autoload;
        c.global = global;
        c.hiddenGlobal = hiddenGlobal;
        return c;
    }

    /** The function's name. */
    public String name() {
        return name;
    }

    /** The ELF section holding the program, e.g. {@code tp/syscalls/sys_enter_write}. */
    public String section() {
        return section;
    }

    /** What libbpf's SEC() rules make of the section name. */
    public SectionDef sectionDef() {
        return sectionDef;
    }

    /** Byte offset of the first instruction in its section. */
    public long sectionOffset() {
        return sectionOffset;
    }

    /** True for a function of {@code .text}: loaded only as part of the programs that call it. */
    public boolean isSubprogram() {
        return subprogram;
    }

    /**
     * True for a global function of {@code .text} with hidden or internal visibility
     * ({@code __hidden}): as libbpf does, the loader marks its BTF FUNC static, so the verifier
     * checks it in each caller's context instead of on its own as a global function.
     */
    public boolean isHiddenGlobal() {
        return hiddenGlobal;
    }

    /** True when the function's ELF symbol is global (or weak), not static. */
    public boolean isGlobal() {
        return global;
    }

    ProgramSpec binding(boolean isGlobal, boolean hidden) {
        this.global = isGlobal;
        this.hiddenGlobal = isGlobal && hidden;
        return this;
    }

    /** The byte order of {@link #instructions()}: the object's. */
    public ByteOrder byteOrder() {
        return order;
    }

    /** The instructions as in the file, 8 bytes each (a copy). */
    public byte[] instructions() {
        return instructions.clone();
    }

    /** Copies the instructions into {@code dest} at byte {@code offset} (no intermediate copy). */
    public void copyInstructions(byte[] dest, int offset) {
        System.arraycopy(instructions, 0, dest, offset, instructions.length);
    }

    /** The number of 8-byte instruction slots. */
    public int instructionCount() {
        return instructions.length / Instructions.SIZE;
    }

    /** Relocations, with instruction indexes relative to this program. */
    public List<Relocation> relocations() {
        return relocations;
    }

    /** func_info, line_info and CO-RE records from {@code .BTF.ext}, relative to this program. */
    public ProgramExtInfo extInfo() {
        return extInfo;
    }

    /** The program type; {@link ProgramType#UNSPEC} for an unknown section until set. */
    public ProgramType type() {
        return type;
    }

    public ProgramSpec type(ProgramType type) {
        this.type = Objects.requireNonNull(type, "type");
        return this;
    }

    /** The expected attach type given at load ({@code expected_attach_type}), or null. */
    public AttachType expectedAttachType() {
        return expectedAttachType;
    }

    public ProgramSpec expectedAttachType(AttachType attachType) {
        this.expectedAttachType = attachType;
        return this;
    }

    /** The attach target from the section name (function, tracepoint, binary:symbol, ...), or null. */
    public String attachTo() {
        return attachTo;
    }

    public ProgramSpec attachTo(String target) {
        this.attachTo = target;
        return this;
    }

    /**
     * The function this program is bound to at load, set by {@link #attachTarget(AttachTarget)};
     * null (the default) to use the section name's target.
     */
    public AttachTarget attachTarget() {
        return attachTarget;
    }

    /**
     * Binds a program that attaches by BTF id (fentry, fexit, fmod_ret, freplace, tp_btf, lsm,
     * iter) to {@code target} instead of the section name's, as libbpf's
     * {@code bpf_program__set_attach_target}; null goes back to the section's. freplace needs a
     * {@link AttachTarget.ProgramFunction}; fentry and fexit take either kind. The loader checks
     * the target: a program without BTF, or a function its BTF lacks, is a
     * {@code LoadException}.
     *
     * <pre>{@code
     * spec.program("count_calls").orElseThrow()         // SEC("fentry") or SEC("fentry/anything")
     *     .attachTarget(AttachTarget.program(loaded.program("xdp_main").orElseThrow(), "pick_action"));
     * }</pre>
     */
    public ProgramSpec attachTarget(AttachTarget target) {
        this.attachTarget = target;
        return this;
    }

    /** {@code prog_flags} for load, e.g. {@code BPF_F_SLEEPABLE}. */
    public int flags() {
        return flags;
    }

    public ProgramSpec flags(int flags) {
        this.flags = flags;
        return this;
    }

    /** Whether the next load includes this program (subprograms: never on their own). */
    public boolean autoload() {
        return autoload;
    }

    /**
     * Chooses whether the next load includes this program.
     *
     * @throws LoadException when turning on a subprogram of {@code .text}, which loads with its
     *     callers only
     */
    public ProgramSpec autoload(boolean autoload) {
        if (subprogram && autoload) {
            throw new LoadException("program '" + name + "'", "is a subprogram of .text; it loads with its callers");
        }
        this.autoload = autoload;
        return this;
    }

    @Override
    public String toString() {
        return "ProgramSpec[" + name + " in " + section + ", " + type.libbpfName() + ", " + instructionCount()
                + " insns]";
    }
}
