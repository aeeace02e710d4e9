package io.bpfkit.core;

import io.bpfkit.api.BpfException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.KernelBtf;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The BTF that CO-RE relocations are resolved against: a base (the running kernel's vmlinux, or
 * a file the caller supplies, BTFHub style) and, as libbpf does, kernel modules' split BTF as
 * extra candidates, searched only when the base has no type of the wanted name and kind.
 * Candidate lists are cached by essential name and kind, so a target can be shared by every
 * load of a process. Module BTF is parsed on first need.
 *
 * <pre>{@code
 * CoreTarget kernel = CoreTarget.kernel();   // or CoreTarget.fromFile(Path.of("5.4.0-btfhub.btf"))
 * List<CoreTarget.Candidate> c = kernel.candidates("task_struct___v1", BtfKind.STRUCT);
 * }</pre>
 */
public final class CoreTarget {
    /**
     * A target type: its BTF and id there.
     *
     * @param module the kernel module whose BTF holds it, or null for the base
     */
    public record Candidate(Btf btf, int id, String module) {
    }

    private static final Candidate[] NONE = new Candidate[0];
    private static volatile RunningKernel kernel;

    private final Btf base;
    private final Supplier<Map<String, Btf>> moduleSource;
    private volatile Map<String, Btf> modules;
    private final ConcurrentHashMap<String, Candidate[]> cache = new ConcurrentHashMap<>();
    /** Per target BTF, per composite id: its named members by name (see {@link #member}). */
    private final ConcurrentHashMap<Btf, MemberTables> members = new ConcurrentHashMap<>();

    /**
     * A named member of a target struct or union, possibly inside anonymous members of it.
     *
     * @param owner the composite that declares it (the innermost anonymous one, if any)
     * @param index its index among {@code owner}'s members
     * @param type its type id
     * @param bitOffset its offset in bits from the start of the outer composite
     * @param rawPath the member indexes from the outer composite down to it
     */
    record MemberRef(int owner, int index, int type, long bitOffset, int[] rawPath) {
    }

    /** Lazily built name tables, one slot per type id; racy but safe (immutable maps). */
    private static final class MemberTables {
        final Object[] byId;

        MemberTables(int count) {
            byId = new Object[count];
        }
    }

    private CoreTarget(Btf base, Supplier<Map<String, Btf>> modules) {
        this.base = Objects.requireNonNull(base, "base");
        this.moduleSource = Objects.requireNonNull(modules, "modules");
    }

    /** A target of one complete BTF, without modules (a caller-supplied file). */
    public static CoreTarget of(Btf base) {
        return new CoreTarget(base, Map::of);
    }

    /**
     * A target of a base and the split BTF of modules over it, asked for when first needed.
     *
     * @param modules module name to its BTF (split over {@code base}), in search order
     */
    public static CoreTarget of(Btf base, Supplier<Map<String, Btf>> modules) {
        return new CoreTarget(base, modules);
    }

    /**
     * The running kernel: {@code /sys/kernel/btf/vmlinux} and its modules, read and indexed once
     * per process (candidate lists accumulate across loads) while the set of modules with BTF
     * stays the same; a module loaded or unloaded since makes a fresh target, so a load after
     * {@code modprobe} finds the module's types.
     */
    public static CoreTarget kernel() {
        Set<String> modules = moduleNames();
        RunningKernel k = kernel;
        if (k == null || !k.modules().equals(modules)) {
            synchronized (CoreTarget.class) {
                k = kernel;
                if (k == null || !k.modules().equals(modules)) {
                    k = new RunningKernel(of(KernelBtf.vmlinux(), KernelBtf::modules), modules);
                    kernel = k;
                }
            }
        }
        return k.target();
    }

    /**
     * Whether this process has read the running kernel's BTF already, so that {@link #kernel()}
     * answers from memory (unless the set of modules changed since).
     */
    public static boolean kernelRead() {
        return kernel != null;
    }

    /** The kernel target and the module BTF files it was made with. */
    private record RunningKernel(CoreTarget target, Set<String> modules) {
    }

    /** The names in /sys/kernel/btf other than vmlinux: the loaded modules with BTF. */
    private static Set<String> moduleNames() {
        try (Stream<Path> s = Files.list(KernelBtf.SYSFS_BTF)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("vmlinux"))
                    .collect(Collectors.toUnmodifiableSet());
        } catch (IOException e) {
            return Set.of();
        }
    }

    /**
     * A target read from a raw BTF file, such as a BTFHub vmlinux BTF for a kernel built without
     * {@code CONFIG_DEBUG_INFO_BTF}.
     *
     * @throws io.bpfkit.api.ObjectFormatException when the file is not valid BTF
     * @throws BpfException when it cannot be read
     */
    public static CoreTarget fromFile(Path file) {
        try {
            return of(Btf.parse(MemorySegment.ofArray(Files.readAllBytes(file))));
        } catch (IOException e) {
            throw new BpfException("cannot read target BTF " + file + ": " + e.getMessage(), e);
        }
    }

    /** The base BTF (vmlinux). */
    public Btf base() {
        return base;
    }

    /** The modules' BTF, read now if not yet. */
    public Map<String, Btf> modules() {
        Map<String, Btf> m = modules;
        if (m == null) {
            synchronized (this) {
                m = modules;
                if (m == null) {
                    m = new LinkedHashMap<>(moduleSource.get());
                    modules = m;
                }
            }
        }
        return m;
    }

    /**
     * The types whose essential name equals {@code name}'s and whose kind is compatible with
     * {@code kind} (equal, or both enums), in id order: the base's, or when it has none, the
     * modules'.
     */
    public List<Candidate> candidates(String name, BtfKind kind) {
        return List.of(candidateArray(name, kind));
    }

    Candidate[] candidateArray(String name, BtfKind kind) {
        Candidate[] c = cache.get(key(CoreNames.essential(name), kind));
        if (c == null) {
            prefetch(List.of(name), List.of(kind));
            c = cache.get(key(CoreNames.essential(name), kind));
        }
        return c;
    }

    private static String key(String essential, BtfKind kind) {
        return (CoreTypes.isEnum(kind) ? "enum" : kind.name()) + ' ' + essential;
    }

    /**
     * Finds the candidates of several local types at once (by local name, flavour included, and
     * kind), so that later {@link #candidateArray} calls for them are cache hits: one pass over
     * the base's types for every name not yet cached, and, for the names the base has no
     * candidate of, one over each module's (libbpf searches all kernel types once per local
     * type; a full name index of vmlinux costs more than the few dozen searches of one load).
     */
    void prefetch(List<String> names, List<BtfKind> kinds) {
        List<String> keys = new ArrayList<>();
        List<String> essentials = new ArrayList<>();
        List<BtfKind> keyKinds = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String essential = CoreNames.essential(names.get(i));
            String key = key(essential, kinds.get(i));
            if (!cache.containsKey(key) && !keys.contains(key)) {
                keys.add(key);
                essentials.add(essential);
                keyKinds.add(kinds.get(i));
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        List<List<Candidate>> found = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            found.add(new ArrayList<>());
        }
        collect(base, null, essentials, keyKinds, found);
        List<Integer> unfound = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            if (found.get(i).isEmpty()) {
                unfound.add(i);
            }
        }
        if (!unfound.isEmpty()) {
            List<String> restNames = new ArrayList<>();
            List<BtfKind> restKinds = new ArrayList<>();
            List<List<Candidate>> restFound = new ArrayList<>();
            for (int i : unfound) {
                restNames.add(essentials.get(i));
                restKinds.add(keyKinds.get(i));
                restFound.add(found.get(i));
            }
            for (Map.Entry<String, Btf> e : modules().entrySet()) {
                collect(e.getValue(), e.getKey(), restNames, restKinds, restFound);
            }
        }
        for (int i = 0; i < keys.size(); i++) {
            List<Candidate> c = found.get(i);
            cache.putIfAbsent(keys.get(i), c.isEmpty() ? NONE : c.toArray(new Candidate[0]));
        }
    }

    /**
     * Adds to {@code found.get(i)} the types of {@code btf} whose essential name is
     * {@code essentials.get(i)} and whose kind is compatible with {@code kinds.get(i)}, in id order.
     */
    private static void collect(Btf btf, String module, List<String> essentials, List<BtfKind> kinds,
            List<List<Candidate>> found) {
        int[][] ids = btf.localIdsNamedOrFlavored(essentials);
        for (int i = 0; i < essentials.size(); i++) {
            String essential = essentials.get(i);
            for (int id : ids[i]) {
                // Named exactly so, or a flavour of it (not merely starting with "essential___").
                if (CoreTypes.kindsCompatible(btf.kind(id), kinds.get(i))) {
                    String name = btf.name(id);
                    if (name.equals(essential) || CoreNames.essential(name).equals(essential)) {
                        found.get(i).add(new Candidate(btf, id, module));
                    }
                }
            }
        }
    }

    /**
     * The member called {@code name} of composite {@code id} in {@code btf}, looking through
     * anonymous members depth first in declaration order (libbpf's search, done once per
     * composite and remembered), or null.
     */
    MemberRef member(Btf btf, int id, String name) {
        MemberTables t = members.computeIfAbsent(btf, b -> new MemberTables(b.typeCount()));
        @SuppressWarnings("unchecked")
        Map<String, MemberRef> byName = (Map<String, MemberRef>) t.byId[id];
        if (byName == null) {
            Map<String, MemberRef> built = new java.util.HashMap<>();
            index(btf, id, 0, new int[0], built, 0);
            byName = Map.copyOf(built);
            t.byId[id] = byName;
        }
        return byName.get(name);
    }

    private static void index(Btf btf, int id, long bitBase, int[] path, Map<String, MemberRef> out, int depth) {
        if (depth > Btf.MAX_CHAIN_DEPTH || !(btf.type(id) instanceof io.bpfkit.btf.BtfType.Composite c)) {
            return;
        }
        List<io.bpfkit.btf.BtfType.Member> ms = c.members();
        for (int i = 0; i < ms.size(); i++) {
            io.bpfkit.btf.BtfType.Member m = ms.get(i);
            int[] p = Arrays.copyOf(path, path.length + 1);
            p[path.length] = i;
            if (m.name().isEmpty()) {
                index(btf, btf.skipModifiersAndTypedefs(m.type()), bitBase + m.bitOffset(), p, out, depth + 1);
            } else {
                out.putIfAbsent(m.name(), new MemberRef(id, i, m.type(), bitBase + m.bitOffset(), p));
            }
        }
    }
}
