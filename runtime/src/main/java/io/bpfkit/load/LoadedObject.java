package io.bpfkit.load;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.BpfLink;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.api.pmu.PmuCounter;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.pmu.PmuCounterSet;
import io.bpfkit.sys.Fd;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An object in the kernel: it owns every file descriptor the load made (BTF, maps, programs)
 * and closes them all, once, on {@link #close()}. The spec it came from can be loaded again.
 *
 * <pre>{@code
 * try (LoadedObject obj = BpfLoader.load(spec)) {
 *     LoadedProgram p = obj.program("handle_exec").orElseThrow();
 *     LoadedMap counts = obj.map("counts").orElseThrow();
 * }
 * }</pre>
 */
public final class LoadedObject implements AutoCloseable {
    private final BpfObjectSpec spec;
    private final OwnedFd btf;
    private final Map<String, LoadedMap> maps;
    private final Map<String, LoadedProgram> programs;
    private final List<PmuCounterSet> pmuCounters;
    private final List<String> warnings;
    /** The BPF token the load used, kept as libbpf keeps it for the object's life; or null. */
    private final OwnedFd token;
    private final List<BpfLink> links = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    LoadedObject(BpfObjectSpec spec, OwnedFd btf, List<LoadedMap> maps, List<LoadedProgram> programs,
                 List<PmuCounterSet> pmuCounters, List<String> warnings, OwnedFd token) {
        this.spec = spec;
        this.token = token;
        this.btf = btf;
        Map<String, LoadedMap> m = new LinkedHashMap<>();
        maps.forEach(x -> m.put(x.name(), x));
        Map<String, LoadedProgram> p = new LinkedHashMap<>();
        programs.forEach(x -> p.put(x.name(), x));
        this.maps = Collections.unmodifiableMap(m);
        this.programs = Collections.unmodifiableMap(p);
        this.pmuCounters = List.copyOf(pmuCounters);
        this.warnings = List.copyOf(warnings);
    }

    /** The spec as loaded (a copy: later edits of the caller's spec do not show here). */
    public BpfObjectSpec spec() {
        return spec;
    }

    /**
     * The BPF token the object was loaded with ({@link LoadOptions#withToken}), open until the
     * object closes, as libbpf's {@code bpf_object__token_fd}; empty when it loaded without one.
     */
    public Optional<OwnedFd> token() {
        return Optional.ofNullable(token);
    }

    /** The object's BTF in the kernel, if it could be loaded. */
    public Optional<OwnedFd> btf() {
        return Optional.ofNullable(btf);
    }

    /** Maps by name, in the spec's order. */
    public Map<String, LoadedMap> maps() {
        checkOpen();
        return maps;
    }

    public Optional<LoadedMap> map(String name) {
        checkOpen();
        return Optional.ofNullable(maps.get(name));
    }

    /** Loaded programs by name (those with autoload on), in the spec's order. */
    public Map<String, LoadedProgram> programs() {
        checkOpen();
        return programs;
    }

    public Optional<LoadedProgram> program(String name) {
        checkOpen();
        return Optional.ofNullable(programs.get(name));
    }

    /** Things the load worked around, as libbpf would log them (e.g. BTF the kernel refused). */
    public List<String> warnings() {
        return warnings;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Makes this object the owner of {@code link}: it is closed (detached) with the object,
     * before the programs, in reverse order of attachment. Returns the link.
     */
    public <L extends BpfLink> L own(L link) {
        checkOpen();
        links.add(link);
        return link;
    }

    /** The links this object owns, in attachment order. */
    public List<BpfLink> links() {
        return List.copyOf(links);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("object '" + spec.name() + "' is closed");
        }
    }

    /**
     * The PMU counters of PERF_EVENT_ARRAY map {@code map}, by counter index: what bpfkit/pmu.h or
     * {@link io.bpfkit.object.MapSpec#pmuCounter(int, String, String)} declared, opened on every
     * online CPU. Empty for a map without counters.
     *
     * <pre>{@code
     * PmuCounter cycles = obj.pmuCounters("cycles").getFirst();
     * PmuReading r0 = cycles.read();
     * }</pre>
     */
    public List<PmuCounter> pmuCounters(String map) {
        checkOpen();
        return pmuCounters.stream().filter(c -> c.map().equals(map)).map(PmuCounter.class::cast).toList();
    }

    /**
     * Counter {@code index} of map {@code map}.
     *
     * @throws LoadException when the map has no such counter
     */
    public PmuCounter pmuCounter(String map, int index) {
        List<PmuCounter> counters = pmuCounters(map);
        if (index < 0 || index >= counters.size()) {
            throw new LoadException("map '" + map + "'", "has " + counters.size() + " PMU counters, not counter "
                    + index + (maps.containsKey(map) ? "" : " (the object has no map of that name)"));
        }
        return counters.get(index);
    }

    /** Closes programs, maps and BTF; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException linkFailure = null;
        for (BpfLink l : links.reversed()) {
            try {
                l.close();
            } catch (RuntimeException e) { // still close the programs and maps
                linkFailure = linkFailure == null ? e : linkFailure;
            }
        }
        List<OwnedFd> fds = new ArrayList<>();
        programs.values().forEach(p -> fds.add(p.fd()));
        maps.values().forEach(m -> fds.add(m.fd()));
        pmuCounters.forEach(c -> fds.addAll(c.fds()));
        if (btf != null) {
            fds.add(btf);
        }
        if (token != null) {
            fds.add(token);
        }
        try {
            closeAll(fds);
        } finally {
            maps.values().forEach(LoadedMap::unmap);
        }
        if (linkFailure != null) {
            throw linkFailure;
        }
    }

    /** Closes every fd, even when some close fails; the first failure is thrown at the end. */
    static void closeAll(List<OwnedFd> fds) {
        BpfException first = null;
        for (OwnedFd fd : fds) {
            try {
                fd.close();
            } catch (BpfException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "LoadedObject[" + spec.name() + ", " + maps.size() + " maps, " + programs.size() + " programs"
                + (closed ? ", closed" : "") + "]";
    }
}
