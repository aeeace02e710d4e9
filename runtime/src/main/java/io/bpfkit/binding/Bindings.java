package io.bpfkit.binding;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.CodecException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.check.BindingCheck;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.GlobalVariable;
import io.bpfkit.object.MapSpec;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What generated bindings call: opening the object from the class path, pre-load edits by
 * name (done once, at open), and the small pieces of codec code every record would otherwise
 * repeat. Nothing here is looked up by name on a hot path.
 */
public final class Bindings {
    private static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private Bindings() {
    }

    // ---- opening --------------------------------------------------------------------------

    /**
     * Opens the class-path resource {@code resource}, which the binding (in the user's module)
     * has opened as {@code anchor.getResourceAsStream(resource)}: on the module path only code of
     * the anchor's own module may read its resources, so the binding reads, and this parses.
     *
     * @param in the resource, or null when there is none; closed here
     * @param name the object's name; empty: the resource's file name
     * @throws LoadException when the resource is not on the class path
     * @throws ObjectFormatException when it cannot be read, or holds no valid object
     */
    public static BpfObjectSpec openResource(InputStream in, Class<?> anchor, String resource, String name) {
        String objectName = name.isEmpty() ? resource.substring(resource.lastIndexOf('/') + 1) : name;
        if (in == null) {
            throw new LoadException(anchor.getName(), "the object '" + resource + "' is not on the class path "
                    + "(resolved against package '" + anchor.getPackageName() + "'); open it with a Path or bytes");
        }
        try (in) {
            return BpfObjects.open(in, objectName);
        } catch (IOException e) {
            throw new ObjectFormatException(resource, null, -1, "cannot close the class-path resource: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Sets global {@code variable} in its data section before load.
     *
     * @throws LoadException when the object has no such variable
     * @throws CodecException when the value does not fit (a string too long, an array of another
     *     length)
     * @throws IllegalArgumentException when {@code value} is null
     */
    public static <T> void setGlobal(BpfObjectSpec spec, String variable, Codec<T> codec, T value) {
        GlobalVariable v = variable(spec, variable);
        MapSpec section = spec.dataMap(v.section()).orElseThrow();
        byte[] bytes = new byte[Math.toIntExact(codec.size())];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(codec.size());
            codec.encode(nonNull(value, variable), s, 0);
            MemorySegment.copy(s, I8, 0, bytes, 0, bytes.length);
        }
        section.setVariable(variable, bytes);
    }

    /**
     * The global {@code variable} of {@code spec}.
     *
     * @throws LoadException when the object has none of that name
     */
    static GlobalVariable variable(BpfObjectSpec spec, String variable) {
        GlobalVariable v = BindingCheck.variable(spec, variable);
        if (v == null) {
            throw new LoadException("global '" + variable + "'", "object '" + spec.name() + "' has no such variable");
        }
        return v;
    }

    /**
     * Sets map {@code map}'s {@code max_entries} before load.
     *
     * @throws IllegalArgumentException when {@code maxEntries} is below 1 or above 2^32 - 1
     * @throws LoadException when the object has no such map
     */
    public static void maxEntries(BpfObjectSpec spec, String map, long maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("map '" + map + "': max entries must be at least 1, not " + maxEntries);
        }
        map(spec, map).maxEntries(maxEntries);
    }

    /**
     * Chooses whether program {@code program} loads.
     *
     * @throws LoadException when the object has no such program, or it is a subprogram
     */
    public static void autoload(BpfObjectSpec spec, String program, boolean autoload) {
        spec.program(program).orElseThrow(() -> new LoadException("program '" + program + "'", "object '"
                + spec.name() + "' has no such program")).autoload(autoload);
    }

    /**
     * Declares counter {@code counter} of PERF_EVENT_ARRAY map {@code map}.
     *
     * @throws IllegalArgumentException when {@code event} is null or blank
     * @throws LoadException when the object has no such map, it is no PERF_EVENT_ARRAY, or the
     *     counter would leave a gap
     */
    public static void pmuEvent(BpfObjectSpec spec, String map, int counter, String event, String fallback) {
        if (event == null || event.isBlank()) {
            throw new IllegalArgumentException("map '" + map + "' counter " + counter + ": the perf event is empty");
        }
        map(spec, map).pmuCounter(counter, event, fallback == null || fallback.isEmpty() ? null : fallback);
    }

    private static MapSpec map(BpfObjectSpec spec, String map) {
        return spec.map(map).orElseThrow(() -> new LoadException("map '" + map + "'", "object '" + spec.name()
                + "' has no such map"));
    }

    // ---- loaded handles -------------------------------------------------------------------

    /**
     * The program a binding method returns.
     *
     * @throws IllegalStateException when it was not loaded (autoload turned off on the open handle)
     */
    public static BpfProgram loaded(BpfProgram program, String name) {
        if (program == null) {
            throw new IllegalStateException("program '" + name + "' was not loaded: autoload was turned off before "
                    + "load");
        }
        return program;
    }

    /**
     * The segment of a variable a setter writes.
     *
     * @throws IllegalStateException for {@code .rodata} variables, constant once loaded
     */
    public static MemorySegment writable(MemorySegment variable, String name) {
        if (variable.isReadOnly()) {
            throw new IllegalStateException("global '" + name + "' is read-only data (.rodata), frozen at load: set "
                    + "it on the binding's open handle, before load");
        }
        return variable;
    }

    // ---- codec pieces ---------------------------------------------------------------------

    /**
     * {@code value}, or an {@link IllegalArgumentException} naming {@code where}: the record
     * or global value itself, a null argument.
     */
    public static <T> T nonNull(T value, String where) {
        if (value == null) {
            throw new IllegalArgumentException(where + " is null: a C value cannot be");
        }
        return value;
    }

    /**
     * {@code value}, or a {@link CodecException} naming member {@code where}: a C struct member
     * always has a value.
     */
    public static <T> T member(T value, String where) {
        if (value == null) {
            throw CodecException.nullMember(where);
        }
        return value;
    }

    /** Element {@code index} of array member {@code where}, refused when null. */
    public static <T> T member(T[] array, int index, String where) {
        T value = array[index];
        if (value == null) {
            throw CodecException.nullMember(where + "[" + index + "]");
        }
        return value;
    }

    /** Zeros {@code length} bytes of padding. */
    public static void zero(MemorySegment target, long offset, long length) {
        for (long i = 0; i < length; i++) {
            target.set(I8, offset + i, (byte) 0);
        }
    }

    public static void write(byte[] a, int n, String where, MemorySegment t, long o) {
        CodecException.requireLength(where, n, member(a, where).length);
        MemorySegment.copy(a, 0, t, I8, o, n);
    }

    public static void write(short[] a, int n, String where, MemorySegment t, long o) {
        CodecException.requireLength(where, n, member(a, where).length);
        MemorySegment.copy(a, 0, t, I16, o, n);
    }

    public static void write(int[] a, int n, String where, MemorySegment t, long o) {
        CodecException.requireLength(where, n, member(a, where).length);
        MemorySegment.copy(a, 0, t, I32, o, n);
    }

    public static void write(long[] a, int n, String where, MemorySegment t, long o) {
        CodecException.requireLength(where, n, member(a, where).length);
        MemorySegment.copy(a, 0, t, I64, o, n);
    }

    public static void write(float[] a, int n, String where, MemorySegment t, long o) {
        CodecException.requireLength(where, n, member(a, where).length);
        MemorySegment.copy(a, 0, t, F32, o, n);
    }

    public static void write(double[] a, int n, String where, MemorySegment t, long o) {
        CodecException.requireLength(where, n, member(a, where).length);
        MemorySegment.copy(a, 0, t, F64, o, n);
    }

    /** {@code _Bool[n]}: 1 for true, 0 for false. */
    public static void write(boolean[] a, int n, String where, MemorySegment t, long o) {
        CodecException.requireLength(where, n, member(a, where).length);
        Codecs.encodeBooleans(a, t, o);
    }

    /** Checks an array of records before its elements are written one by one. */
    public static <T> T[] checked(T[] a, int n, String where) {
        CodecException.requireLength(where, n, member(a, where).length);
        return a;
    }

    public static byte[] bytes(MemorySegment s, long o, int n) {
        byte[] a = new byte[n];
        MemorySegment.copy(s, I8, o, a, 0, n);
        return a;
    }

    public static short[] shorts(MemorySegment s, long o, int n) {
        short[] a = new short[n];
        MemorySegment.copy(s, I16, o, a, 0, n);
        return a;
    }

    public static int[] ints(MemorySegment s, long o, int n) {
        int[] a = new int[n];
        MemorySegment.copy(s, I32, o, a, 0, n);
        return a;
    }

    public static long[] longs(MemorySegment s, long o, int n) {
        long[] a = new long[n];
        MemorySegment.copy(s, I64, o, a, 0, n);
        return a;
    }

    public static float[] floats(MemorySegment s, long o, int n) {
        float[] a = new float[n];
        MemorySegment.copy(s, F32, o, a, 0, n);
        return a;
    }

    public static double[] doubles(MemorySegment s, long o, int n) {
        double[] a = new double[n];
        MemorySegment.copy(s, F64, o, a, 0, n);
        return a;
    }

    /** {@code _Bool[n]}: any byte but 0 is true, as in C. */
    public static boolean[] booleans(MemorySegment s, long o, int n) {
        return Codecs.decodeBooleans(s, o, n);
    }
}
