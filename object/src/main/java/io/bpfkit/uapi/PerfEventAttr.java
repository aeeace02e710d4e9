package io.bpfkit.uapi;

import static io.bpfkit.uapi.BpfLayouts.PERF_EVENT_ATTR;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_COMM;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_DISABLED;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_ENABLE_ON_EXEC;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_EXCLUDE_HV;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_EXCLUDE_IDLE;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_EXCLUDE_KERNEL;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_EXCLUDE_USER;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_EXCLUSIVE;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_FREQ;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_INHERIT;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_INHERIT_THREAD;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_MMAP;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_PINNED;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_REMOVE_ON_EXEC;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_SAMPLE_ID_ALL;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_USE_CLOCKID;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_WATERMARK;
import static io.bpfkit.uapi.PerfEventFlags.FLAG_WRITE_BACKWARD;
import static io.bpfkit.uapi.PerfEventFlags.PRECISE_IP_SHIFT;
import static io.bpfkit.uapi.PerfEventFlags.PRECISE_IP_WIDTH;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * {@code struct perf_event_attr}, built in Java and written to native memory for
 * {@code perf_event_open(2)} (the runtime opens it). Not thread-safe; a plain mutable
 * builder. The bit fields of the flags word are the {@code FLAG_*} constants of
 * {@link PerfEventFlags} (generated from the kernel's BTF), also settable by
 * name with the boolean setters.
 *
 * <pre>{@code
 * PerfEventAttr a = new PerfEventAttr()
 *         .type(Perf.PERF_TYPE_SOFTWARE).config(Perf.PERF_COUNT_SW_CPU_CLOCK)
 *         .disabled(true).excludeHv(true);
 * List<Link> links = Attach.perfEventPerCpu(prog, a);   // io.bpfkit.link
 * }</pre>
 */
public final class PerfEventAttr {
    private static VarHandle vh(String name) {
        return PERF_EVENT_ATTR.varHandle(MemoryLayout.PathElement.groupElement(name));
    }

    private static final VarHandle TYPE = vh("type");
    private static final VarHandle SIZE = vh("size");
    private static final VarHandle CONFIG = vh("config");
    private static final VarHandle SAMPLE_PERIOD_VH = vh("sample_period");
    private static final VarHandle SAMPLE_TYPE = vh("sample_type");
    private static final VarHandle READ_FORMAT = vh("read_format");
    private static final VarHandle FLAGS = vh("flags");
    private static final VarHandle WAKEUP_EVENTS = vh("wakeup_events");
    private static final VarHandle BP_TYPE = vh("bp_type");
    private static final VarHandle CONFIG1 = vh("config1");
    private static final VarHandle CONFIG2 = vh("config2");
    private static final VarHandle BRANCH_SAMPLE_TYPE = vh("branch_sample_type");
    private static final VarHandle SAMPLE_REGS_USER = vh("sample_regs_user");
    private static final VarHandle SAMPLE_STACK_USER = vh("sample_stack_user");
    private static final VarHandle CLOCKID = vh("clockid");
    private static final VarHandle SAMPLE_REGS_INTR = vh("sample_regs_intr");
    private static final VarHandle AUX_WATERMARK = vh("aux_watermark");
    private static final VarHandle SAMPLE_MAX_STACK = vh("sample_max_stack");
    private static final VarHandle AUX_SAMPLE_SIZE = vh("aux_sample_size");
    private static final VarHandle AUX_ACTION = vh("aux_action");
    private static final VarHandle SIG_DATA = vh("sig_data");
    private static final VarHandle CONFIG3 = vh("config3");

    private int type;
    private int size = Perf.PERF_ATTR_SIZE_VER8;
    private long config;
    private long samplePeriod;
    private long sampleType;
    private long readFormat;
    private long flags;
    private int wakeupEvents;
    private int bpType;
    private long config1;
    private long config2;
    private long branchSampleType;
    private long sampleRegsUser;
    private int sampleStackUser;
    private int clockid;
    private long sampleRegsIntr;
    private int auxWatermark;
    private short sampleMaxStack;
    private int auxSampleSize;
    private int auxAction;
    private long sigData;
    private long config3;

    /** All fields zero, {@code size} {@link #PERF_ATTR_SIZE_VER8}. */
    public PerfEventAttr() {
    }

    public PerfEventAttr type(int v) {
        type = v;
        return this;
    }

    /** {@code size}; defaults to {@link #PERF_ATTR_SIZE_VER8}. */
    public PerfEventAttr size(int v) {
        if (v < 64 || v > PERF_EVENT_ATTR.byteSize()) {
            throw new IllegalArgumentException("perf_event_attr size must be 64.." + PERF_EVENT_ATTR.byteSize());
        }
        size = v;
        return this;
    }

    public PerfEventAttr config(long v) {
        config = v;
        return this;
    }

    public PerfEventAttr samplePeriod(long v) {
        samplePeriod = v;
        flags &= ~FLAG_FREQ;
        return this;
    }

    /** Sets {@code sample_freq} (same field as {@code sample_period}) and the {@code freq} bit. */
    public PerfEventAttr sampleFreq(long v) {
        samplePeriod = v;
        flags |= FLAG_FREQ;
        return this;
    }

    public PerfEventAttr sampleType(long v) {
        sampleType = v;
        return this;
    }

    public PerfEventAttr readFormat(long v) {
        readFormat = v;
        return this;
    }

    /** The whole flags word (the {@code FLAG_*} bits of {@link PerfEventFlags}). */
    public PerfEventAttr flags(long v) {
        flags = v;
        return this;
    }

    private PerfEventAttr bit(long bit, boolean on) {
        flags = on ? flags | bit : flags & ~bit;
        return this;
    }

    public PerfEventAttr disabled(boolean on) {
        return bit(FLAG_DISABLED, on);
    }

    public PerfEventAttr inherit(boolean on) {
        return bit(FLAG_INHERIT, on);
    }

    public PerfEventAttr pinned(boolean on) {
        return bit(FLAG_PINNED, on);
    }

    public PerfEventAttr exclusive(boolean on) {
        return bit(FLAG_EXCLUSIVE, on);
    }

    public PerfEventAttr excludeUser(boolean on) {
        return bit(FLAG_EXCLUDE_USER, on);
    }

    public PerfEventAttr excludeKernel(boolean on) {
        return bit(FLAG_EXCLUDE_KERNEL, on);
    }

    public PerfEventAttr excludeHv(boolean on) {
        return bit(FLAG_EXCLUDE_HV, on);
    }

    public PerfEventAttr excludeIdle(boolean on) {
        return bit(FLAG_EXCLUDE_IDLE, on);
    }

    public PerfEventAttr mmap(boolean on) {
        return bit(FLAG_MMAP, on);
    }

    public PerfEventAttr comm(boolean on) {
        return bit(FLAG_COMM, on);
    }

    public PerfEventAttr enableOnExec(boolean on) {
        return bit(FLAG_ENABLE_ON_EXEC, on);
    }

    public PerfEventAttr watermark(boolean on) {
        return bit(FLAG_WATERMARK, on);
    }

    public PerfEventAttr sampleIdAll(boolean on) {
        return bit(FLAG_SAMPLE_ID_ALL, on);
    }

    public PerfEventAttr writeBackward(boolean on) {
        return bit(FLAG_WRITE_BACKWARD, on);
    }

    public PerfEventAttr inheritThread(boolean on) {
        return bit(FLAG_INHERIT_THREAD, on);
    }

    public PerfEventAttr removeOnExec(boolean on) {
        return bit(FLAG_REMOVE_ON_EXEC, on);
    }

    /** {@code precise_ip}, 0..3. */
    public PerfEventAttr preciseIp(int v) {
        if (v < 0 || v > 3) {
            throw new IllegalArgumentException("precise_ip is 0..3");
        }
        flags = (flags & ~(((1L << PRECISE_IP_WIDTH) - 1) << PRECISE_IP_SHIFT)) | ((long) v << PRECISE_IP_SHIFT);
        return this;
    }

    /** {@code wakeup_events} (or {@code wakeup_watermark} with the watermark bit). */
    public PerfEventAttr wakeupEvents(int v) {
        wakeupEvents = v;
        return this;
    }

    public PerfEventAttr bpType(int v) {
        bpType = v;
        return this;
    }

    /** {@code config1}, also {@code bp_addr}, {@code kprobe_func}, {@code uprobe_path}. */
    public PerfEventAttr config1(long v) {
        config1 = v;
        return this;
    }

    /** {@code config2}, also {@code bp_len}, {@code kprobe_addr}, {@code probe_offset}. */
    public PerfEventAttr config2(long v) {
        config2 = v;
        return this;
    }

    public PerfEventAttr config3(long v) {
        config3 = v;
        return this;
    }

    public PerfEventAttr branchSampleType(long v) {
        branchSampleType = v;
        return this;
    }

    public PerfEventAttr sampleRegsUser(long v) {
        sampleRegsUser = v;
        return this;
    }

    public PerfEventAttr sampleStackUser(int v) {
        sampleStackUser = v;
        return this;
    }

    /** {@code clockid}; also sets {@code use_clockid}. */
    public PerfEventAttr clockid(int v) {
        clockid = v;
        flags |= FLAG_USE_CLOCKID;
        return this;
    }

    public PerfEventAttr sampleRegsIntr(long v) {
        sampleRegsIntr = v;
        return this;
    }

    public PerfEventAttr auxWatermark(int v) {
        auxWatermark = v;
        return this;
    }

    public PerfEventAttr sampleMaxStack(int v) {
        sampleMaxStack = (short) v;
        return this;
    }

    public PerfEventAttr auxSampleSize(int v) {
        auxSampleSize = v;
        return this;
    }

    public PerfEventAttr auxAction(int v) {
        auxAction = v;
        return this;
    }

    public PerfEventAttr sigData(long v) {
        sigData = v;
        return this;
    }

    public int type() {
        return type;
    }

    public long config() {
        return config;
    }

    public long flags() {
        return flags;
    }

    public long readFormat() {
        return readFormat;
    }

    /** Writes the struct into {@code seg} (at least {@link BpfLayouts#PERF_EVENT_ATTR} bytes), zeroing it first. */
    public MemorySegment write(MemorySegment seg) {
        seg.asSlice(0, PERF_EVENT_ATTR.byteSize()).fill((byte) 0);
        TYPE.set(seg, 0L, type);
        SIZE.set(seg, 0L, size);
        CONFIG.set(seg, 0L, config);
        SAMPLE_PERIOD_VH.set(seg, 0L, samplePeriod);
        SAMPLE_TYPE.set(seg, 0L, sampleType);
        READ_FORMAT.set(seg, 0L, readFormat);
        FLAGS.set(seg, 0L, flags);
        WAKEUP_EVENTS.set(seg, 0L, wakeupEvents);
        BP_TYPE.set(seg, 0L, bpType);
        CONFIG1.set(seg, 0L, config1);
        CONFIG2.set(seg, 0L, config2);
        BRANCH_SAMPLE_TYPE.set(seg, 0L, branchSampleType);
        SAMPLE_REGS_USER.set(seg, 0L, sampleRegsUser);
        SAMPLE_STACK_USER.set(seg, 0L, sampleStackUser);
        CLOCKID.set(seg, 0L, clockid);
        SAMPLE_REGS_INTR.set(seg, 0L, sampleRegsIntr);
        AUX_WATERMARK.set(seg, 0L, auxWatermark);
        SAMPLE_MAX_STACK.set(seg, 0L, sampleMaxStack);
        AUX_SAMPLE_SIZE.set(seg, 0L, auxSampleSize);
        AUX_ACTION.set(seg, 0L, auxAction);
        SIG_DATA.set(seg, 0L, sigData);
        CONFIG3.set(seg, 0L, config3);
        return seg;
    }

    /** The struct in new memory of {@code arena}. */
    public MemorySegment toSegment(Arena arena) {
        return write(arena.allocate(PERF_EVENT_ATTR));
    }

    @Override
    public String toString() {
        return "perf_event_attr[type=" + type + ", config=0x" + Long.toHexString(config) + ", flags=0x"
                + Long.toHexString(flags) + (samplePeriod != 0 ? ", sample_period=" + samplePeriod : "")
                + (readFormat != 0 ? ", read_format=0x" + Long.toHexString(readFormat) : "") + "]";
    }
}
