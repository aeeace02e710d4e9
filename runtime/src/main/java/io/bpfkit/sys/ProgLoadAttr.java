package io.bpfkit.sys;

import java.lang.foreign.MemorySegment;

/**
 * Everything {@code BPF_PROG_LOAD} takes (Linux 6.18). Memory fields are native segments
 * (null for none) that must stay alive for the call; file descriptor fields are raw numbers
 * (0 for none). Counts left at 0 are derived from the segments: {@code insn_cnt} from
 * {@code insns} (8 bytes each), {@code func_info_cnt}/{@code line_info_cnt} from the segment
 * size and record size, {@code log_size} from {@code logBuf}.
 *
 * <pre>{@code
 * ProgLoadAttr a = ProgLoadAttr.builder(1, insns)          // BPF_PROG_TYPE_SOCKET_FILTER
 *         .license("GPL").name("ret42")
 *         .log(1, arena.allocate(64 * 1024))
 *         .build();
 * ProgLoadResult r = Bpf.progLoad(a);
 * if (!r.ok()) System.err.println(r.log());
 * }</pre>
 *
 * @param attachProgFd {@code attach_prog_fd}; shares its slot with {@code attachBtfObjFd}, at
 *        most one may be non-zero
 * @param signature {@code signature} (6.18 signed programs) with {@code signature_size} its size
 */
public record ProgLoadAttr(int progType, MemorySegment insns, int insnCnt, String license, int logLevel,
        MemorySegment logBuf, int kernVersion, int progFlags, String name, int progIfindex,
        int expectedAttachType, int progBtfFd, int funcInfoRecSize, MemorySegment funcInfo, int funcInfoCnt,
        int lineInfoRecSize, MemorySegment lineInfo, int lineInfoCnt, int attachBtfId, int attachProgFd,
        int attachBtfObjFd, int coreReloRecSize, MemorySegment coreRelos, int coreReloCnt, MemorySegment fdArray,
        int fdArrayCnt, int progTokenFd, MemorySegment signature, int keyringId) {

    public ProgLoadAttr {
        if (insns == null) {
            throw new IllegalArgumentException("insns is required");
        }
        requireNative("insns", insns);
        requireNative("log_buf", logBuf);
        requireNative("func_info", funcInfo);
        requireNative("line_info", lineInfo);
        requireNative("core_relos", coreRelos);
        requireNative("fd_array", fdArray);
        requireNative("signature", signature);
        if (attachProgFd != 0 && attachBtfObjFd != 0) {
            throw new IllegalArgumentException("attach_prog_fd and attach_btf_obj_fd share one field: set one");
        }
        if (insns.byteSize() % 8 != 0) {
            throw new IllegalArgumentException("insns is not a whole number of 8-byte instructions: "
                    + insns.byteSize() + " bytes");
        }
        if (insnCnt == 0) {
            insnCnt = (int) (insns.byteSize() / 8);
        } else if ((long) insnCnt * 8 > insns.byteSize()) {
            throw new IllegalArgumentException("insn_cnt " + insnCnt + " exceeds insns (" + insns.byteSize()
                    + " bytes)");
        }
        funcInfoCnt = count("func_info", funcInfo, funcInfoRecSize, funcInfoCnt);
        lineInfoCnt = count("line_info", lineInfo, lineInfoRecSize, lineInfoCnt);
        coreReloCnt = count("core_relos", coreRelos, coreReloRecSize, coreReloCnt);
        if (logBuf != null && logBuf.byteSize() > 0xffff_ffffL) {
            throw new IllegalArgumentException("log_buf larger than 4 GiB");
        }
    }

    private static void requireNative(String what, MemorySegment s) {
        if (s != null && !s.isNative()) {
            throw new IllegalArgumentException(what + " must be native memory (allocated in an Arena)");
        }
    }

    private static int count(String what, MemorySegment s, int recSize, int cnt) {
        if (s == null) {
            return cnt;
        }
        if (recSize <= 0) {
            throw new IllegalArgumentException(what + " needs its record size");
        }
        if (cnt == 0) {
            return (int) (s.byteSize() / recSize);
        }
        if ((long) cnt * recSize > s.byteSize()) {
            throw new IllegalArgumentException(what + ": " + cnt + " records of " + recSize + " bytes exceed "
                    + s.byteSize() + " bytes");
        }
        return cnt;
    }

    /** The same request with another verifier log level and buffer (e.g. a larger one). */
    public ProgLoadAttr withLog(int level, MemorySegment buf) {
        return toBuilder().log(level, buf).build();
    }

    /** A builder for program type {@code progType} and instructions {@code insns}. */
    public static Builder builder(int progType, MemorySegment insns) {
        Builder b = new Builder();
        b.progType = progType;
        b.insns = insns;
        return b;
    }

    /** A builder holding this record's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.progType = progType;
        b.insns = insns;
        b.insnCnt = insnCnt;
        b.license = license;
        b.logLevel = logLevel;
        b.logBuf = logBuf;
        b.kernVersion = kernVersion;
        b.progFlags = progFlags;
        b.name = name;
        b.progIfindex = progIfindex;
        b.expectedAttachType = expectedAttachType;
        b.progBtfFd = progBtfFd;
        b.funcInfoRecSize = funcInfoRecSize;
        b.funcInfo = funcInfo;
        b.funcInfoCnt = funcInfoCnt;
        b.lineInfoRecSize = lineInfoRecSize;
        b.lineInfo = lineInfo;
        b.lineInfoCnt = lineInfoCnt;
        b.attachBtfId = attachBtfId;
        b.attachProgFd = attachProgFd;
        b.attachBtfObjFd = attachBtfObjFd;
        b.coreReloRecSize = coreReloRecSize;
        b.coreRelos = coreRelos;
        b.coreReloCnt = coreReloCnt;
        b.fdArray = fdArray;
        b.fdArrayCnt = fdArrayCnt;
        b.progTokenFd = progTokenFd;
        b.signature = signature;
        b.keyringId = keyringId;
        return b;
    }

    /** Builds a {@link ProgLoadAttr}. */
    public static final class Builder {
        private int progType;
        private MemorySegment insns;
        private int insnCnt;
        private String license;
        private int logLevel;
        private MemorySegment logBuf;
        private int kernVersion;
        private int progFlags;
        private String name;
        private int progIfindex;
        private int expectedAttachType;
        private int progBtfFd;
        private int funcInfoRecSize;
        private MemorySegment funcInfo;
        private int funcInfoCnt;
        private int lineInfoRecSize;
        private MemorySegment lineInfo;
        private int lineInfoCnt;
        private int attachBtfId;
        private int attachProgFd;
        private int attachBtfObjFd;
        private int coreReloRecSize;
        private MemorySegment coreRelos;
        private int coreReloCnt;
        private MemorySegment fdArray;
        private int fdArrayCnt;
        private int progTokenFd;
        private MemorySegment signature;
        private int keyringId;

        private Builder() {
        }

        public Builder progType(int v) {
            progType = v;
            return this;
        }

        /** The instructions and, when not all of them are to be loaded, how many. */
        public Builder insns(MemorySegment v, int count) {
            insns = v;
            insnCnt = count;
            return this;
        }

        public Builder license(String v) {
            license = v;
            return this;
        }

        /** Verifier log: level (1, 2, 4 = stats; 0 = none) and buffer (null = none). */
        public Builder log(int level, MemorySegment buf) {
            logLevel = level;
            logBuf = buf;
            return this;
        }

        public Builder kernVersion(int v) {
            kernVersion = v;
            return this;
        }

        /** {@code BPF_F_SLEEPABLE}, {@code BPF_F_XDP_HAS_FRAGS}, ... */
        public Builder progFlags(int v) {
            progFlags = v;
            return this;
        }

        /** prog_name; truncated to 15 bytes. */
        public Builder name(String v) {
            name = v;
            return this;
        }

        public Builder progIfindex(int v) {
            progIfindex = v;
            return this;
        }

        public Builder expectedAttachType(int v) {
            expectedAttachType = v;
            return this;
        }

        public Builder progBtfFd(int v) {
            progBtfFd = v;
            return this;
        }

        /** {@code struct bpf_func_info} records (usually 8 bytes each). */
        public Builder funcInfo(MemorySegment v, int recSize, int count) {
            funcInfo = v;
            funcInfoRecSize = recSize;
            funcInfoCnt = count;
            return this;
        }

        /** {@code struct bpf_line_info} records (usually 16 bytes each). */
        public Builder lineInfo(MemorySegment v, int recSize, int count) {
            lineInfo = v;
            lineInfoRecSize = recSize;
            lineInfoCnt = count;
            return this;
        }

        public Builder attachBtfId(int v) {
            attachBtfId = v;
            return this;
        }

        /** The program to attach to (freplace, fentry on a BPF program). */
        public Builder attachProgFd(int v) {
            attachProgFd = v;
            return this;
        }

        /** The module BTF object holding {@code attach_btf_id} (0: vmlinux). */
        public Builder attachBtfObjFd(int v) {
            attachBtfObjFd = v;
            return this;
        }

        /** {@code struct bpf_core_relo} records for the kernel to apply. */
        public Builder coreRelos(MemorySegment v, int recSize, int count) {
            coreRelos = v;
            coreReloRecSize = recSize;
            coreReloCnt = count;
            return this;
        }

        /** An array of int fds ({@code BPF_PSEUDO_MAP_IDX}, kfunc module BTFs); {@code count} 0 = unbound. */
        public Builder fdArray(MemorySegment v, int count) {
            fdArray = v;
            fdArrayCnt = count;
            return this;
        }

        public Builder progTokenFd(int v) {
            progTokenFd = v;
            return this;
        }

        public Builder signature(MemorySegment v, int keyring) {
            signature = v;
            keyringId = keyring;
            return this;
        }

        public ProgLoadAttr build() {
            return new ProgLoadAttr(progType, insns, insnCnt, license, logLevel, logBuf, kernVersion, progFlags,
                    name, progIfindex, expectedAttachType, progBtfFd, funcInfoRecSize, funcInfo, funcInfoCnt,
                    lineInfoRecSize, lineInfo, lineInfoCnt, attachBtfId, attachProgFd, attachBtfObjFd,
                    coreReloRecSize, coreRelos, coreReloCnt, fdArray, fdArrayCnt, progTokenFd, signature, keyringId);
        }
    }
}
