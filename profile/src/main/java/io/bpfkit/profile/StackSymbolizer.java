package io.bpfkit.profile;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.map.BpfStackTraceMap.BuildIdFrame;
import io.bpfkit.link.MappedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Instruction pointers to names, in pure Java: kernel addresses through {@code /proc/kallsyms}
 * (a module's symbols as {@code name [module]}); user addresses through {@code /proc/PID/maps}
 * and the mapped ELF file's {@code .symtab} / {@code .dynsym} (file offset to link-time address
 * through the program headers, so PIE and fixed-address executables alike), or
 * {@code file+0xOFFSET} when the file has no symbol there (stripped); Java code through the JVM's
 * perf map ({@link PerfMap}): JIT-compiled methods as {@link FrameKind#JIT}, the interpreter as
 * {@link FrameKind#INTERPRETED}.
 *
 * <p>Files are read once per (build id, or device, inode and modification time). A process's
 * mappings are read when it is first asked about and kept, so a process that exits after
 * {@link #prepare(int)} is still named. When an address falls in a JVM's anonymous executable
 * memory that its perf map does not name (or it has none), the symbolizer asks the JVM for a fresh
 * one ({@code jcmd PID Compiler.perfmap}, when the JVM shares this process's mount namespace) at
 * most once per window ({@link #newWindow()}). What could not be named, and why, is collected in
 * {@link #notes()}.
 *
 * <pre>{@code
 * StackSymbolizer symbols = new StackSymbolizer();
 * for (StackSymbolizer.Frame f : symbols.user(pid, stacks.stack(userStackId))) {
 *     System.out.println(f.folded());            // "Hot.spin_[j]", "__libc_start_call_main", ...
 * }
 * symbols.kernel(stacks.stack(kernelStackId));   // "do_syscall_64_[k]", ...
 * symbols.notes().forEach(System.err::println);  // "process 1234 exited before ..."
 * }</pre>
 *
 * <p>Stacks of build ids and file offsets (a {@code BPF_F_STACK_BUILD_ID} stack map, or
 * {@code bpf_get_stack} with {@code BPF_F_USER_BUILD_ID}, see
 * {@link io.bpfkit.api.map.StackBuffers}) are named through the file with that build id: one the
 * process maps (each file's {@code .note.gnu.build-id} read once), or one added with
 * {@link #addFile}; a frame for which the kernel could not read the build id holds the
 * instruction pointer and is named as {@link #userFrame} names it. They stay nameable after the
 * process exits, and on another machine, given the files:
 *
 * <pre>{@code
 * symbols.addFile(Path.of("build/server"));                    // a copy of the binary, with its symbols
 * for (StackSymbolizer.Frame f : symbols.buildIds(pid, buildIdStacks.buildIdStack(stackId))) {
 *     System.out.println(f.folded());   // "handle_request", or "[buildid 1234abcd…]+0x4f2" when no file has that id
 * }
 * }</pre>
 */
public final class StackSymbolizer {
    /** A name no symbol gives: the address is in no mapping, or in anonymous memory nothing names. */
    public static final String UNKNOWN = "[unknown]";

    /**
     * One symbolized frame.
     *
     * @param name the function, method or {@code file+0xOFFSET}
     * @param kind kernel, native, JIT or interpreted
     * @param address the instruction pointer
     */
    public record Frame(String name, FrameKind kind, long address) {
        /** The frame as one element of a folded stack: {@code ;} made {@code :}, kind suffix added. */
        public String folded() {
            return kind.annotate(name.replace(';', ':').replace('\n', ' '));
        }
    }

    private final Path kallsyms;
    private final boolean askJvms;
    private final Duration jcmdTimeout;
    private KernelSymbols kernel;
    private final Map<Object, ElfSymbols> filesByKey = new HashMap<>();
    /** By build id in the kernel's form ({@link ElfSymbols#kernelForm}). */
    private final Map<String, ElfSymbols> filesByBuildId = new HashMap<>();
    /** Files whose build id is known but whose symbols are not read yet, and files' names, by build id. */
    private final Map<String, Path> pathsByBuildId = new HashMap<>();
    private final Map<String, String> namesByBuildId = new HashMap<>();
    /** File key (device, inode, time, size) to its build id in the kernel's form, "" for none. */
    private final Map<Object, String> buildIdsByKey = new HashMap<>();
    private final Map<Integer, ProcessView> processes = new HashMap<>();
    private final Set<String> notes = new LinkedHashSet<>();
    private long filesRead;

    /** A symbolizer over {@code /proc/kallsyms} that asks JVMs for fresh perf maps (waiting up to 30 s for jcmd). */
    public StackSymbolizer() {
        this(KernelSymbols.KALLSYMS, true, Duration.ofSeconds(30));
    }

    /**
     * @param kallsyms the kernel symbol file ({@code /proc/kallsyms})
     * @param askJvms whether to run {@code jcmd PID Compiler.perfmap} for JIT code the perf map
     *        does not name
     * @param jcmdTimeout how long to wait for jcmd
     */
    public StackSymbolizer(Path kallsyms, boolean askJvms, Duration jcmdTimeout) {
        this.kallsyms = kallsyms;
        this.askJvms = askJvms;
        this.jcmdTimeout = jcmdTimeout;
    }

    // ---- kernel ------------------------------------------------------------------------------

    /** Kernel frames, innermost first as a stack trace map holds them. */
    public List<Frame> kernel(long[] ips) {
        List<Frame> frames = new ArrayList<>(ips.length);
        for (long ip : ips) {
            frames.add(kernelFrame(ip));
        }
        return frames;
    }

    /** One kernel address. */
    public Frame kernelFrame(long ip) {
        KernelSymbols k = kernelSymbols();
        String name = k == null ? null : k.lookup(ip);
        return new Frame(name == null ? "0x" + Long.toHexString(ip) : name, FrameKind.KERNEL, ip);
    }

    private KernelSymbols kernelSymbols() {
        if (kernel == null) {
            try {
                kernel = KernelSymbols.read(kallsyms);
                if (kernel.hidden()) {
                    notes.add(kallsyms + " shows every address as 0 (kernel.kptr_restrict, or not root): "
                            + "kernel frames are printed as addresses");
                }
            } catch (IOException e) {
                notes.add("cannot read " + kallsyms + " (" + e.getMessage() + "): kernel frames are printed as addresses");
                return null;
            }
        }
        return kernel;
    }

    // ---- user --------------------------------------------------------------------------------

    /**
     * Reads process {@code pid}'s mappings now, so that its frames are named even when it exits
     * before they are symbolized. Returns false (and notes why) when there is no such process.
     */
    public boolean prepare(int pid) {
        return view(pid).regions != null;
    }

    /** User frames of process {@code pid}, innermost first as a stack trace map holds them. */
    public List<Frame> user(int pid, long[] ips) {
        List<Frame> frames = new ArrayList<>(ips.length);
        for (long ip : ips) {
            frames.add(userFrame(pid, ip));
        }
        return frames;
    }

    /** One user address of process {@code pid}. */
    public Frame userFrame(int pid, long ip) {
        ProcessView p = view(pid);
        if (p.regions == null) {
            return new Frame(UNKNOWN, FrameKind.NATIVE, ip);
        }
        MappedFiles.Region r = p.region(ip);
        if (r == null && !p.regionsRefreshed) {
            p.regionsRefreshed = true; // a process that maps new code is read again once per window
            if (p.refreshRegions()) {
                r = p.region(ip);
            }
        }
        if (r == null) {
            return new Frame(UNKNOWN, FrameKind.NATIVE, ip);
        }
        if (r.isFile()) {
            return fileFrame(p, r, ip);
        }
        if (p.jvm && r.isAnonymous() && r.isExecutable()) {
            return jitFrame(p, ip);
        }
        return new Frame(r.name().isEmpty() ? UNKNOWN : r.name(), FrameKind.NATIVE, ip);
    }

    private Frame fileFrame(ProcessView p, MappedFiles.Region r, long ip) {
        long fileOffset = ip - r.start() + r.offset();
        // a mapping's file is looked up once: stat and cache keys cost more than the symbol search
        ElfSymbols elf = p.files.computeIfAbsent(r, k -> Optional.ofNullable(elfOf(p, k))).orElse(null);
        String name = null;
        if (elf != null) {
            name = elf.lookup(elf.virtualAddress(fileOffset));
        }
        if (name != null) {
            return new Frame(name, FrameKind.NATIVE, ip);
        }
        String base = Path.of(r.name()).getFileName().toString();
        if (elf != null && !elf.hasSymtab()) {
            notes.add(r.name() + " has no .symtab (stripped): its frames are printed as "
                    + base + "+0xOFFSET (file offsets)");
        }
        return new Frame(base + "+0x" + Long.toHexString(fileOffset), FrameKind.NATIVE, ip);
    }

    /** A mapped file, through the process's root: right for a process in another mount namespace as well. */
    private static Path fileOf(ProcessView p, MappedFiles.Region r) {
        Path file = Path.of("/proc/" + p.pid + "/root" + r.name());
        return Files.exists(file) ? file : Path.of(r.name());
    }

    /** What tells one file's version from another: inode and device, modification time, size. */
    private static Object fileKey(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return List.of(String.valueOf(a.fileKey()), a.lastModifiedTime(), a.size());
    }

    private ElfSymbols elfOf(ProcessView p, MappedFiles.Region r) {
        Path file = fileOf(p, r);
        Object key;
        try {
            key = fileKey(file);
        } catch (IOException e) {
            notes.add("cannot read " + r.name() + " of process " + p.pid + " (" + e.getMessage()
                    + "): its frames are printed as file offsets");
            filesByKey.put(r.name(), null);
            return null;
        }
        if (filesByKey.containsKey(key)) {
            return filesByKey.get(key);
        }
        ElfSymbols elf = null;
        try {
            elf = ElfSymbols.read(file);
            filesRead++;
            if (elf.buildId() != null) {
                String id = ElfSymbols.kernelForm(elf.buildId());
                ElfSymbols same = filesByBuildId.putIfAbsent(id, elf);
                elf = same != null ? same : elf;
                namesByBuildId.putIfAbsent(id, Path.of(r.name()).getFileName().toString());
            }
        } catch (IOException | RuntimeException e) {
            notes.add(r.name() + " is not a readable ELF file (" + e.getMessage() + "): its frames are printed as "
                    + "file offsets");
        }
        filesByKey.put(key, elf);
        return elf;
    }

    // ---- build ids ---------------------------------------------------------------------------

    /**
     * User frames of a build-id stack ({@link io.bpfkit.api.map.BpfStackTraceMap#buildIdStack},
     * {@link io.bpfkit.api.map.StackBuffers#buildIdFrames}) of process {@code pid}, innermost
     * first. With {@code pid} 0 only files already met or added with {@link #addFile} name
     * build ids, and frames holding an instruction pointer are {@value #UNKNOWN}.
     */
    public List<Frame> buildIds(int pid, List<BuildIdFrame> frames) {
        List<Frame> out = new ArrayList<>(frames.size());
        for (BuildIdFrame f : frames) {
            out.add(buildIdFrame(pid, f));
        }
        return out;
    }

    /**
     * One build-id frame of process {@code pid}: through the file with that build id, its
     * program headers (file offset to link-time address) and symbols; through the process's
     * mappings when the frame holds an instruction pointer. The frame's address is the file
     * offset, or the instruction pointer. A build id no file has is named
     * {@code [buildid 1234abcd…]+0xOFFSET}, and noted.
     */
    public Frame buildIdFrame(int pid, BuildIdFrame f) {
        switch (f.status()) {
            case IP -> {
                return pid > 0 ? userFrame(pid, f.offset()) : new Frame(UNKNOWN, FrameKind.NATIVE, f.offset());
            }
            case EMPTY -> {
                return new Frame(UNKNOWN, FrameKind.NATIVE, f.offset());
            }
            default -> {
                String id = HexFormat.of().formatHex(f.buildId());
                ElfSymbols elf = elfWithBuildId(pid, id);
                String offset = "+0x" + Long.toHexString(f.offset());
                if (elf == null) {
                    notes.add("no file " + (pid > 0 ? "mapped by process " + pid + " nor " : "") + "added with addFile "
                            + "has build id " + id + ": its frames are printed as [buildid " + id.substring(0, 8)
                            + "…]+0xOFFSET (file offsets)");
                    return new Frame("[buildid " + id.substring(0, 8) + "…]" + offset, FrameKind.NATIVE, f.offset());
                }
                String name = elf.lookup(elf.virtualAddress(f.offset()));
                if (name != null) {
                    return new Frame(name, FrameKind.NATIVE, f.offset());
                }
                String file = namesByBuildId.getOrDefault(id, id.substring(0, 8));
                if (!elf.hasSymtab()) {
                    notes.add(file + " (build id " + id + ") has no .symtab (stripped): its frames are printed as "
                            + file + "+0xOFFSET (file offsets)");
                }
                return new Frame(file + offset, FrameKind.NATIVE, f.offset());
            }
        }
    }

    /**
     * Makes {@code file}'s build id known, so that build-id frames of processes that do not map
     * it (that exited, or ran on another machine) are named through it.
     *
     * @return its build id in hex, as {@code readelf -n} prints it; empty when it has none
     * @throws IOException when it cannot be read
     * @throws io.bpfkit.api.ObjectFormatException when it is not a well-formed ELF64 file
     */
    public Optional<String> addFile(Path file) throws IOException {
        String id = ElfSymbols.readBuildId(file);
        if (id == null) {
            return Optional.empty();
        }
        String key = ElfSymbols.kernelForm(id);
        if (!filesByBuildId.containsKey(key)) {
            pathsByBuildId.put(key, file);
            namesByBuildId.put(key, file.getFileName().toString());
        }
        return Optional.of(id);
    }

    private ElfSymbols elfWithBuildId(int pid, String id) {
        if (!filesByBuildId.containsKey(id) && !pathsByBuildId.containsKey(id) && pid > 0) {
            ProcessView p = view(pid);
            if (!p.buildIdsScanned && p.regions != null) {
                p.buildIdsScanned = true; // once per window, as mappings are read again
                for (MappedFiles.Region r : p.regions) {
                    if (r.isFile() && r.isExecutable()) {
                        indexBuildId(p, r);
                    }
                }
            }
        }
        if (filesByBuildId.containsKey(id)) {
            return filesByBuildId.get(id);
        }
        Path file = pathsByBuildId.remove(id);
        ElfSymbols elf = null;
        if (file != null) {
            try {
                elf = ElfSymbols.read(file);
                filesRead++;
            } catch (IOException | RuntimeException e) {
                notes.add(file + " (build id " + id + ") is not a readable ELF file (" + e.getMessage()
                        + "): its frames are printed as file offsets");
            }
            filesByBuildId.put(id, elf);
        }
        return elf;
    }

    /** Reads the build id of a file the process maps, once per file. */
    private void indexBuildId(ProcessView p, MappedFiles.Region r) {
        Path file = fileOf(p, r);
        Object key;
        try {
            key = fileKey(file);
        } catch (IOException e) {
            return; // gone or unreadable: its build id stays unknown, and the frame says so
        }
        if (buildIdsByKey.containsKey(key)) {
            return;
        }
        String id = "";
        try {
            String hex = ElfSymbols.readBuildId(file);
            id = hex == null ? "" : ElfSymbols.kernelForm(hex);
        } catch (IOException | RuntimeException e) {
            // not an ELF file (a mapped font, a JVM's CDS archive): it has no build id to match
        }
        buildIdsByKey.put(key, id);
        if (!id.isEmpty() && !filesByBuildId.containsKey(id)) {
            pathsByBuildId.putIfAbsent(id, file);
            namesByBuildId.putIfAbsent(id, Path.of(r.name()).getFileName().toString());
        }
    }

    private Frame jitFrame(ProcessView p, long ip) {
        PerfMap.Entry e = p.perfMap == null ? null : p.perfMap.lookup(ip).orElse(null);
        if (e == null && p.refreshPerfMap(this)) {
            e = p.perfMap.lookup(ip).orElse(null);
        }
        if (e == null) {
            return new Frame(UNKNOWN, FrameKind.JIT, ip);
        }
        return javaFrame(e.name(), ip);
    }

    /**
     * A perf map name as a frame: HotSpot's {@code Interpreter} region is interpreted code, a
     * method ({@code long Hot.spin(long)}) is JIT code and is named {@code Hot.spin}, other
     * entries (stubs, adapters) are native code under their own name.
     */
    static Frame javaFrame(String perfMapName, long ip) {
        if (perfMapName.equals("Interpreter")) {
            return new Frame("Interpreter", FrameKind.INTERPRETED, ip);
        }
        int paren = perfMapName.indexOf('(');
        if (paren > 0 && perfMapName.endsWith(")") && perfMapName.charAt(paren - 1) != ' ') {
            String head = perfMapName.substring(0, paren);
            String method = head.substring(head.lastIndexOf(' ') + 1);
            if (method.indexOf('.') > 0) {
                return new Frame(method, FrameKind.JIT, ip);
            }
        }
        return new Frame(perfMapName, FrameKind.NATIVE, ip);
    }

    private ProcessView view(int pid) {
        ProcessView p = processes.get(pid);
        if (p == null) {
            p = new ProcessView(pid);
            processes.put(pid, p);
            p.refreshRegions();
            if (p.regions == null) {
                notes.add("process " + pid + " exited (or is not readable) before its stacks were symbolized: "
                        + "its user frames are " + UNKNOWN);
            }
        }
        return p;
    }

    /**
     * Starts a new window: a JVM may be asked for a fresh perf map again, and processes' mappings
     * are read again when an address is in none of them. Files stay cached.
     */
    public void newWindow() {
        processes.values().forEach(p -> {
            p.askedForPerfMap = false;
            p.regionsRefreshed = false;
            p.buildIdsScanned = false;
        });
    }

    /** What could not be named, and why, in the order first met. */
    public List<String> notes() {
        return List.copyOf(notes);
    }

    /** ELF files read so far (a file met again, or a copy with the same build id, is not read again). */
    public long filesRead() {
        return filesRead;
    }

    /** One process: its mappings, whether it is a JVM, its perf map. */
    private final class ProcessView {
        final int pid;
        final Map<MappedFiles.Region, Optional<ElfSymbols>> files = new HashMap<>();
        List<MappedFiles.Region> regions;
        boolean jvm;
        PerfMap perfMap;
        boolean askedForPerfMap;
        boolean regionsRefreshed;
        boolean perfMapLoaded;
        boolean buildIdsScanned;

        ProcessView(int pid) {
            this.pid = pid;
        }

        /** Reads the mappings again; false when the process is gone (the old ones are kept). */
        boolean refreshRegions() {
            try {
                List<MappedFiles.Region> now = MappedFiles.regions(pid);
                regions = now;
                jvm = now.stream().anyMatch(r -> r.name().endsWith("/libjvm.so"));
                if (jvm && !perfMapLoaded) {
                    perfMapLoaded = true;
                    loadPerfMap();
                }
                return true;
            } catch (BpfException gone) {
                return false;
            }
        }

        MappedFiles.Region region(long ip) {
            int lo = 0;
            int hi = regions.size() - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                MappedFiles.Region r = regions.get(mid);
                if (Long.compareUnsigned(ip, r.start()) < 0) {
                    hi = mid - 1;
                } else if (Long.compareUnsigned(ip, r.end()) >= 0) {
                    lo = mid + 1;
                } else {
                    return r;
                }
            }
            return null;
        }

        Path perfMapPath() {
            // the JVM writes /tmp/perf-<its pid>.map in its own namespaces
            int inner = namespacePid(pid);
            Path viaRoot = Path.of("/proc/" + pid + "/root/tmp/perf-" + inner + ".map");
            return Files.exists(viaRoot) || inner != pid ? viaRoot : Path.of("/tmp/perf-" + pid + ".map");
        }

        void loadPerfMap() {
            Path file = perfMapPath();
            try {
                perfMap = perfMap == null ? PerfMap.read(file) : perfMap.reload();
            } catch (NoSuchFileException e) {
                perfMap = null;
            } catch (IOException | IllegalArgumentException e) {
                notes.add("cannot read perf map " + file + " of JVM " + pid + ": " + e.getMessage());
            }
        }

        /** Asks the JVM for a fresh perf map, once per window; true when there is one to look in. */
        boolean refreshPerfMap(StackSymbolizer s) {
            if (askedForPerfMap) {
                return false;
            }
            askedForPerfMap = true;
            String why = s.askJvms ? runJcmd() : "asking JVMs is off";
            loadPerfMap();
            if (why != null) {
                notes.add("JVM " + pid + (perfMap == null ? " has no perf map " + perfMapPath() : "'s perf map "
                        + perfMapPath() + " does not name all its JIT code") + " and was not asked for a fresh one ("
                        + why + "): such frames are " + UNKNOWN + "_[j]; start it with -XX:+UnlockDiagnosticVMOptions "
                        + "-XX:+DumpPerfMapAtExit or run jcmd " + pid + " Compiler.perfmap");
            } else if (perfMap == null) {
                notes.add("JVM " + pid + " has no perf map " + perfMapPath() + " even after jcmd " + pid
                        + " Compiler.perfmap: its JIT frames are " + UNKNOWN + "_[j]");
            }
            return perfMap != null;
        }

        /** Runs {@code jcmd PID Compiler.perfmap}; null when it worked, else why not. */
        private String runJcmd() {
            try {
                if (!Files.readSymbolicLink(Path.of("/proc/self/ns/mnt"))
                        .equals(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/mnt")))) {
                    return "it runs in another mount namespace";
                }
            } catch (IOException e) {
                return "its namespaces cannot be read: " + e.getMessage();
            }
            Path jcmd = jcmdFor(pid);
            if (jcmd == null) {
                return "no jcmd next to its java nor in this JVM's java.home";
            }
            try {
                Process proc = new ProcessBuilder(jcmd.toString(), Integer.toString(pid), "Compiler.perfmap")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!proc.waitFor(jcmdTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    proc.destroyForcibly();
                    return jcmd + " did not answer within " + jcmdTimeout.toSeconds() + " s";
                }
                return proc.exitValue() == 0 ? null : jcmd + " exited with " + proc.exitValue();
            } catch (IOException e) {
                return "cannot run " + jcmd + ": " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
    }

    /** The jcmd of the JVM's own installation, else of the one running this code. */
    private static Path jcmdFor(int pid) {
        try {
            Path java = Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe"));
            Path own = java.resolveSibling("jcmd");
            if (Files.isExecutable(own)) {
                return own;
            }
        } catch (IOException | UnsupportedOperationException e) {
            // fall through to this JVM's
        }
        Path here = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        return Files.isExecutable(here) ? here : null;
    }

    /** The process's pid in its own pid namespace ({@code NSpid}'s last field), or pid. */
    private static int namespacePid(int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("NSpid:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Integer.parseInt(f[f.length - 1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone or unreadable: the host pid names the file
        }
        return pid;
    }
}
