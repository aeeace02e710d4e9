package io.bpfkit.link;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.load.LoadedMap;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.object.AttachType;
import io.bpfkit.object.MapType;
import io.bpfkit.object.StructOpsSpec;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.LinkCreateAttr;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Registers struct_ops maps with the kernel, as libbpf's {@code bpf_map__attach_struct_ops}:
 * the map's value (data members and the programs' descriptors) goes into element 0, which
 * registers a {@code SEC(".struct_ops")} map there and then; a {@code SEC(".struct_ops.link")}
 * map is registered by a BPF link made from it. Closing the returned {@link Link} unregisters
 * it: the link is closed, or for a plain struct_ops map element 0 is deleted.
 *
 * <pre>{@code
 * try (LoadedObject obj = BpfLoader.load(BpfObjects.open(Path.of("my_cc.bpf.o")));
 *      Link reg = StructOps.register(obj.map("my_cc").orElseThrow())) {
 *     // sockets may now use setsockopt(TCP_CONGESTION, "my_cc")
 * }
 * }</pre>
 */
public final class StructOps {
    private StructOps() {
    }

    /**
     * Registers one loaded struct_ops map; the caller owns the returned link.
     *
     * @throws BpfException when the map is not a struct_ops map created by the load
     * @throws KernelException when the kernel refuses the value (e.g. EEXIST: a congestion
     *     control of that name is already registered)
     */
    public static Link register(LoadedMap map) {
        StructOpsSpec ops = prepare(map);
        OwnedFd fd = map.fd();
        String name = "struct_ops " + map.name() + " (struct " + ops.structName() + ")";
        if (!ops.link()) {
            return Link.action(name, () -> {
                try (Arena arena = Arena.ofConfined()) {
                    MapCalls.of(fd).delete(arena.allocate(ValueLayout.JAVA_INT));
                }
            });
        }
        OwnedFd link = Bpf.linkCreate(new LinkCreateAttr(fd.get(), 0, AttachType.STRUCT_OPS.value(), 0, null,
                map.name()));
        return Link.bpf(name, link);
    }

    /**
     * Points a struct_ops link at another {@code SEC(".struct_ops.link")} map of the same struct,
     * as libbpf's {@code bpf_link__update_map}: {@code BPF_LINK_UPDATE} with the new map, after
     * its value is written. The kernel swaps the two without a moment unregistered; for a TCP
     * congestion control the new map must carry the same name. The link keeps its descriptor
     * (and its {@link Link#name()}, which names the first map).
     *
     * <pre>{@code
     * try (Link reg = StructOps.register(obj.map("cc_v1").orElseThrow())) {
     *     StructOps.update(reg, obj.map("cc_v2").orElseThrow());   // new sockets now get v2
     * }
     * }</pre>
     *
     * @throws BpfException when {@code link} is no BPF link, or {@code map} no struct_ops link map
     *     the loader created
     * @throws KernelException when the kernel refuses the swap (EINVAL: another struct, a map
     *     without BPF_F_LINK, a congestion control of another name; EOPNOTSUPP: a kernel before 6.4)
     */
    public static void update(Link link, LoadedMap map) {
        update(link, map, null);
    }

    /**
     * {@link #update(Link, LoadedMap)} only if the link still uses {@code expected}
     * ({@code BPF_F_REPLACE}); EPERM when it uses another map.
     */
    public static void update(Link link, LoadedMap map, LoadedMap expected) {
        if (!link.isBpfLink()) {
            throw new BpfException("link " + link.name() + " is no BPF link: a struct_ops map registered by a map "
                    + "update (SEC(\".struct_ops\")) cannot be swapped; use SEC(\".struct_ops.link\")");
        }
        StructOpsSpec ops = map.spec().structOps();
        if (ops != null && !ops.link()) {
            throw new BpfException("map '" + map.name() + "' is from SEC(\".struct_ops\"): only a struct_ops link "
                    + "map (SEC(\".struct_ops.link\"), BPF_F_LINK) can replace the map of a link");
        }
        prepare(map);
        Bpf.linkUpdate(link.fd(), map.fd(), expected == null ? null : expected.fd(),
                expected == null ? 0 : BpfFlags.BPF_F_REPLACE);
    }

    /** Writes a struct_ops map's value into element 0 (for a link map: once; EBUSY after). */
    private static StructOpsSpec prepare(LoadedMap map) {
        StructOpsSpec ops = map.spec().structOps();
        byte[] value = map.structOpsValue();
        if (map.spec().mapType() != MapType.STRUCT_OPS || ops == null || value == null) {
            throw new BpfException("map '" + map.name() + "' is not a struct_ops map the loader created"
                    + " (only maps of SEC(\".struct_ops\") and SEC(\".struct_ops.link\") can be registered)");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment v = arena.allocate(value.length, 8);
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            try {
                MapCalls.of(map.fd()).update(key, v, BpfFlags.BPF_ANY);
            } catch (KernelException e) {
                // A link map's value is fixed once a link used it: EBUSY means it is ready already.
                if (!ops.link() || e.errno() != Errno.EBUSY) {
                    throw e;
                }
            }
        }
        return ops;
    }

    /**
     * Registers every struct_ops map the load created, as a libbpf skeleton's attach does; the
     * links belong to {@code obj} (unregistered when it closes). If one registration fails, those
     * made so far are undone and the failure is thrown.
     */
    public static List<Link> registerAll(LoadedObject obj) {
        List<Link> made = new ArrayList<>();
        try {
            for (LoadedMap m : obj.maps().values()) {
                if (m.spec().structOps() != null && m.structOpsValue() != null) {
                    made.add(register(m));
                }
            }
        } catch (RuntimeException e) {
            Attach.closeQuietly(made, e);
            throw e;
        }
        made.forEach(obj::own);
        return List.copyOf(made);
    }
}
