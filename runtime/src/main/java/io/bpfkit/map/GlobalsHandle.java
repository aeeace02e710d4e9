package io.bpfkit.map;

import io.bpfkit.api.LoadException;
import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.map.BpfGlobals;
import io.bpfkit.object.GlobalVariable;
import io.bpfkit.object.MapType;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A global data section's map, mapped into this process: variables are read and written in
 * memory, where the programs see them. {@code .rodata} is frozen by the loader, so it is
 * mapped read-only and writes are refused with a message saying when they can be made.
 */
final class GlobalsHandle extends MapHandle implements BpfGlobals {
    private final Map<String, GlobalVariable> variables = new LinkedHashMap<>();
    private final MapMemory memory;
    private final MemorySegment segment;

    GlobalsHandle(MapRef ref) {
        super(ref, types(MapType.ARRAY));
        if (ref.spec() == null || !ref.spec().isGlobalData()) {
            throw new LoadException("map '" + ref.name() + "'", "is not a global data section (.bss, "
                    + ".data, .rodata, ...); use BpfMaps.array for an array map");
        }
        if ((ref.info().mapFlags() & BpfFlags.BPF_F_MMAPABLE) == 0) {
            throw new LoadException("section " + ref.name(), "its map was created without "
                    + "BPF_F_MMAPABLE, so its variables cannot be reached in memory (the kernel predates mmap-able "
                    + "arrays, or the map was reused from an old pin)");
        }
        for (GlobalVariable v : ref.spec().variables()) {
            variables.put(v.name(), v);
        }
        this.memory = MapMemory.map(ref, ref.valueSize(), !ref.spec().isReadOnlyData(), "section " + ref.name());
        if (memory == null) {
            throw new LoadException("section " + ref.name(), "its map was opened read-only "
                    + "(BPF_F_RDONLY), and the kernel maps BPF maps only through descriptors open for writing");
        }
        this.segment = memory.segment();
    }

    @Override
    public String section() {
        return ref.spec().section();
    }

    @Override
    public List<String> variables() {
        return List.copyOf(variables.keySet());
    }

    @Override
    public boolean readOnly() {
        return !memory.writable();
    }

    @Override
    public MemorySegment segment() {
        fdNumber();
        return segment;
    }

    @Override
    public MemorySegment variable(String name) {
        GlobalVariable v = find(name);
        return segment.asSlice(v.offset(), v.size());
    }

    private GlobalVariable find(String name) {
        fdNumber();
        GlobalVariable v = variables.get(name);
        if (v == null) {
            throw new LoadException("section " + section(), "has no variable '" + name + "'; it has "
                    + variables.keySet());
        }
        return v;
    }

    /** The offset of {@code name}, checked to be {@code size} bytes (and writable when writing). */
    private long at(String name, long size, boolean write) {
        GlobalVariable v = find(name);
        if (v.size() != size) {
            throw new LoadException("variable '" + name + "' in " + section(), "is " + v.size()
                    + " bytes (" + v.type() + "), not " + size);
        }
        if (write && !memory.writable()) {
            throw new IllegalStateException(ref.spec().isReadOnlyData()
                    ? "variable '" + name + "' is in " + section() + ", which is read-only after load (frozen); set "
                            + "it before load: spec.dataMap(\"" + section() + "\").setVariable(\"" + name + "\", bytes)"
                    : "variable '" + name + "' is in " + section() + ", which was frozen (BPF_MAP_FREEZE), so user "
                            + "space can only read it");
        }
        return v.offset();
    }

    @Override
    public byte getByte(String name) {
        return segment.get(ValueLayout.JAVA_BYTE, at(name, 1, false));
    }

    @Override
    public short getShort(String name) {
        return segment.get(ValueLayout.JAVA_SHORT_UNALIGNED, at(name, 2, false));
    }

    @Override
    public int getInt(String name) {
        return segment.get(ValueLayout.JAVA_INT_UNALIGNED, at(name, 4, false));
    }

    @Override
    public long getLong(String name) {
        return segment.get(ValueLayout.JAVA_LONG_UNALIGNED, at(name, 8, false));
    }

    @Override
    public float getFloat(String name) {
        return segment.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at(name, 4, false));
    }

    @Override
    public double getDouble(String name) {
        return segment.get(ValueLayout.JAVA_DOUBLE_UNALIGNED, at(name, 8, false));
    }

    @Override
    public void setByte(String name, byte value) {
        segment.set(ValueLayout.JAVA_BYTE, at(name, 1, true), value);
    }

    @Override
    public void setShort(String name, short value) {
        segment.set(ValueLayout.JAVA_SHORT_UNALIGNED, at(name, 2, true), value);
    }

    @Override
    public void setInt(String name, int value) {
        segment.set(ValueLayout.JAVA_INT_UNALIGNED, at(name, 4, true), value);
    }

    @Override
    public void setLong(String name, long value) {
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, at(name, 8, true), value);
    }

    @Override
    public void setFloat(String name, float value) {
        segment.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at(name, 4, true), value);
    }

    @Override
    public void setDouble(String name, double value) {
        segment.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, at(name, 8, true), value);
    }

    @Override
    public <T> T get(String name, Codec<T> codec) {
        return codec.decode(segment, at(name, codec.size(), false));
    }

    @Override
    public <T> void set(String name, Codec<T> codec, T value) {
        codec.encode(value, segment, at(name, codec.size(), true));
    }

    @Override
    void releaseResources() {
        memory.close();
    }
}
