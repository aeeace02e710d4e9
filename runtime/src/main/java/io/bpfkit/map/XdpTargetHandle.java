package io.bpfkit.map;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.map.BpfCpuMap;
import io.bpfkit.api.map.BpfDevMap;
import io.bpfkit.api.map.BpfXskMap;
import io.bpfkit.object.MapType;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The targets of XDP redirects: devmaps ({@code struct bpf_devmap_val}: ifindex, then a program
 * descriptor on write and its id on read), cpumaps ({@code struct bpf_cpumap_val}: queue size,
 * then the same) and xskmaps (an AF_XDP socket's descriptor). All have 4-byte keys.
 */
abstract class XdpTargetHandle extends MapHandle {
    private final Elements elements;

    XdpTargetHandle(MapRef ref, java.util.Set<MapType> types, String what, String invalidHint) {
        super(ref, types);
        if (ref.keySize() != 4 || (ref.valueSize() != 4 && ref.valueSize() != 8)) {
            throw new LoadException(what(), "has " + ref.keySize() + "-byte keys and " + ref.valueSize()
                    + "-byte values; a " + what + " has 4-byte keys and 4- or 8-byte values");
        }
        this.elements = new Elements(this, 4, ref.valueSize(), invalidHint);
    }

    static Consumer<MemorySegment> key(int key) {
        return k -> k.set(ValueLayout.JAVA_INT, 0, key);
    }

    /** Writes {@code first} and, in an 8-byte value, the program's descriptor (-1: none). */
    final void write(int key, int first, BpfProgram program) {
        if (program != null && ref.valueSize() != 8) {
            throw new IllegalStateException(what() + " has 4-byte values: no room for a program; declare its value "
                    + "as struct bpf_devmap_val or struct bpf_cpumap_val");
        }
        int programFd = program == null ? -1 : program.fileDescriptor();
        long valueSize = ref.valueSize();
        elements.update(key(key), v -> {
            v.set(ValueLayout.JAVA_INT, 0, first);
            if (valueSize == 8) {
                v.set(ValueLayout.JAVA_INT, 4, programFd);
            }
        }, BpfFlags.BPF_ANY);
    }

    final boolean remove(int key) {
        return elements.delete(key(key));
    }

    /** The value's two words: the first, and the program id (0 in a 4-byte value). */
    final int[] read(int key) {
        long valueSize = ref.valueSize();
        return elements.lookup(key(key), v -> new int[] {v.get(ValueLayout.JAVA_INT, 0),
                valueSize == 8 ? v.get(ValueLayout.JAVA_INT, 4) : 0});
    }

    /** {@code BPF_MAP_TYPE_DEVMAP} and {@code BPF_MAP_TYPE_DEVMAP_HASH}. */
    static final class Dev extends XdpTargetHandle implements BpfDevMap {
        Dev(MapRef ref) {
            super(ref, types(MapType.DEVMAP, MapType.DEVMAP_HASH), "devmap",
                    "a program that is no XDP program loaded for BPF_XDP_DEVMAP, or a key outside the map");
        }

        @Override
        public void set(int key, int ifindex) {
            write(key, ifindex, null);
        }

        @Override
        public void set(int key, int ifindex, BpfProgram program) {
            write(key, ifindex, java.util.Objects.requireNonNull(program, "program"));
        }

        @Override
        public boolean clear(int key) {
            return remove(key);
        }

        @Override
        public Optional<Entry> entry(int key) {
            int[] v = read(key);
            return v == null ? Optional.empty() : Optional.of(new Entry(v[0], v[1]));
        }
    }

    /** {@code BPF_MAP_TYPE_CPUMAP}. */
    static final class Cpu extends XdpTargetHandle implements BpfCpuMap {
        Cpu(MapRef ref) {
            super(ref, types(MapType.CPUMAP), "cpumap",
                    "a program that is no XDP program loaded for BPF_XDP_CPUMAP, or a CPU outside the map");
        }

        @Override
        public void set(int cpu, int queueSize) {
            write(cpu, queueSize, null);
        }

        @Override
        public void set(int cpu, int queueSize, BpfProgram program) {
            write(cpu, queueSize, java.util.Objects.requireNonNull(program, "program"));
        }

        @Override
        public void clear(int cpu) {
            remove(cpu);
        }

        @Override
        public Optional<Entry> entry(int cpu) {
            int[] v = read(cpu);
            return v == null ? Optional.empty() : Optional.of(new Entry(v[0], v[1]));
        }
    }

    /** {@code BPF_MAP_TYPE_XSKMAP}: written with descriptors, never read back by the kernel. */
    static final class Xsk extends XdpTargetHandle implements BpfXskMap {
        Xsk(MapRef ref) {
            super(ref, types(MapType.XSKMAP), "xskmap", "a queue outside the map");
        }

        @Override
        public void set(int queue, int xskFd) {
            check(queue);
            write(queue, xskFd, null);
        }

        @Override
        public void clear(int queue) {
            check(queue);
            remove(queue);
        }

        @Override
        public int length() {
            return ref.maxEntries();
        }

        private void check(int queue) {
            if (queue < 0 || queue >= ref.maxEntries()) {
                throw new IndexOutOfBoundsException("queue " + queue + " is outside xskmap '" + name() + "' of "
                        + ref.maxEntries() + " slots");
            }
        }
    }
}
