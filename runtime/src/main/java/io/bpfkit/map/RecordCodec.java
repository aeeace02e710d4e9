package io.bpfkit.map;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.codec.Size;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A codec for a Java record laid out as the C struct with the same members in the same order:
 * natural alignment and padding, {@code byte}..{@code long}, {@code float}, {@code double},
 * {@code boolean} (a one-byte {@code _Bool}), nested records, and fixed arrays and strings whose
 * length a {@link Size} annotation gives. Built once per record type (cached); the layout's
 * members carry the component names, which handles compare with the map's BTF.
 *
 * <pre>{@code
 * record Inner(int a, short b) {}
 * record Stats(long calls, int flags, Inner inner, @Size(16) String comm, @Size(3) int[] hist) {}
 * Codec<Stats> c = RecordCodec.of(Stats.class);
 * c.layout();   // struct { long calls; int flags; [4 pad] struct { int a; short b; [2 pad] } inner;
 *               //          char comm[16]; int hist[3]; [4 pad] }
 * }</pre>
 *
 * @param <R> the record type
 */
public final class RecordCodec<R extends Record> implements Codec<R> {
    private static final ClassValue<RecordCodec<?>> CACHE = new ClassValue<>() {
        @Override
        protected RecordCodec<?> computeValue(Class<?> type) {
            return build(type.asSubclass(Record.class), new HashSet<>());
        }
    };

    private final Class<R> type;
    private final StructLayout layout;
    private final Part[] parts;
    private final long[] offsets;
    private final MethodHandle constructor; // (Object[]) Object

    private RecordCodec(Class<R> type, StructLayout layout, Part[] parts, long[] offsets, MethodHandle constructor) {
        this.type = type;
        this.layout = layout;
        this.parts = parts;
        this.offsets = offsets;
        this.constructor = constructor;
    }

    /**
     * The codec of {@code type}, built on first use.
     *
     * @throws IllegalArgumentException when a component has a type without a C layout, an array
     *     or string without {@link Size}, or the record contains itself
     */
    @SuppressWarnings("unchecked")
    public static <R extends Record> RecordCodec<R> of(Class<R> type) {
        return (RecordCodec<R>) CACHE.get(type);
    }

    /** The record type. */
    public Class<R> type() {
        return type;
    }

    @Override
    public StructLayout layout() {
        return layout;
    }

    @Override
    public long size() {
        return layout.byteSize();
    }

    @Override
    public void encode(R value, MemorySegment target, long offset) {
        target.asSlice(offset, layout.byteSize()).fill((byte) 0); // padding bytes are zeros
        for (int i = 0; i < parts.length; i++) {
            Object v;
            try {
                v = parts[i].accessor.invokeExact((Object) value);
            } catch (Throwable t) {
                throw new IllegalStateException("cannot read component " + parts[i].name + " of " + value, t);
            }
            if (v == null) {
                throw new IllegalArgumentException("component '" + parts[i].name + "' of " + type.getSimpleName()
                        + " is null: a C struct member has a value");
            }
            parts[i].writer.write(v, target, offset + offsets[i]);
        }
    }

    @Override
    public R decode(MemorySegment source, long offset) {
        Object[] args = new Object[parts.length];
        for (int i = 0; i < parts.length; i++) {
            args[i] = parts[i].reader.read(source, offset + offsets[i]);
        }
        try {
            return type.cast(constructor.invokeExact(args));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("constructor of " + type.getName() + " failed", t);
        }
    }

    @Override
    public String toString() {
        return "RecordCodec[" + type.getSimpleName() + ", " + layout + "]";
    }

    // ---- building -------------------------------------------------------------------------

    private interface Writer {
        void write(Object v, MemorySegment s, long o);
    }

    private interface Reader {
        Object read(MemorySegment s, long o);
    }

    private record Part(String name, MemoryLayout layout, MethodHandle accessor, Writer writer, Reader reader) {
    }

    private record Element(MemoryLayout layout, Writer writer, Reader reader) {
    }

    private static <R extends Record> RecordCodec<R> build(Class<R> type, Set<Class<?>> building) {
        if (!type.isRecord()) {
            throw new IllegalArgumentException(type.getName() + " is not a record");
        }
        if (!building.add(type)) {
            throw new IllegalArgumentException("record " + type.getName() + " contains itself: a C struct cannot");
        }
        RecordComponent[] comps = type.getRecordComponents();
        if (comps.length == 0) {
            throw new IllegalArgumentException("record " + type.getName() + " has no components: C has no empty "
                    + "structs");
        }
        List<MemoryLayout> members = new ArrayList<>();
        Part[] parts = new Part[comps.length];
        long[] offsets = new long[comps.length];
        long offset = 0;
        long align = 1;
        Class<?>[] ctorTypes = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            RecordComponent c = comps[i];
            ctorTypes[i] = c.getType();
            Element e = element(type, c, building);
            long a = e.layout().byteAlignment();
            long aligned = (offset + a - 1) / a * a;
            if (aligned > offset) {
                members.add(MemoryLayout.paddingLayout(aligned - offset));
            }
            offset = aligned;
            offsets[i] = offset;
            members.add(e.layout().withName(c.getName()));
            offset += e.layout().byteSize();
            align = Math.max(align, a);
            parts[i] = new Part(c.getName(), e.layout(), accessor(type, c), e.writer(), e.reader());
        }
        long size = (offset + align - 1) / align * align;
        if (size > offset) {
            members.add(MemoryLayout.paddingLayout(size - offset));
        }
        StructLayout layout = MemoryLayout.structLayout(members.toArray(MemoryLayout[]::new))
                .withName(type.getSimpleName());
        building.remove(type);
        return new RecordCodec<>(type, layout, parts, offsets, constructor(type, ctorTypes));
    }

    private static Element element(Class<?> owner, RecordComponent c, Set<Class<?>> building) {
        Class<?> t = c.getType();
        Size size = c.getAnnotation(Size.class);
        String where = owner.getSimpleName() + "." + c.getName();
        if (t == String.class) {
            int n = length(size, where, "a String (a char[N])");
            return new Element(MemoryLayout.sequenceLayout(n, ValueLayout.JAVA_BYTE),
                    (v, s, o) -> Codecs.encodeCString((String) v, n, s, o), (s, o) -> Codecs.decodeCString(s, o, n));
        }
        if (t.isArray()) {
            int n = length(size, where, "an array");
            Element e = scalarOrRecord(t.getComponentType(), where, building);
            long stride = e.layout().byteSize();
            Class<?> ct = t.getComponentType();
            return new Element(MemoryLayout.sequenceLayout(n, e.layout()), (v, s, o) -> {
                int len = Array.getLength(v);
                if (len != n) {
                    throw new IllegalArgumentException(where + " must have " + n + " elements (@Size), not " + len);
                }
                for (int i = 0; i < n; i++) {
                    e.writer().write(Array.get(v, i), s, o + i * stride);
                }
            }, (s, o) -> {
                Object arr = Array.newInstance(ct, n);
                for (int i = 0; i < n; i++) {
                    Array.set(arr, i, e.reader().read(s, o + i * stride));
                }
                return arr;
            });
        }
        if (size != null) {
            throw new IllegalArgumentException(where + ": @Size is for arrays and strings, not " + t.getSimpleName());
        }
        return scalarOrRecord(t, where, building);
    }

    private static int length(Size size, String where, String what) {
        if (size == null) {
            throw new IllegalArgumentException(where + " is " + what + ": give its fixed length with @Size(N)");
        }
        if (size.value() < 1) {
            throw new IllegalArgumentException(where + ": @Size(" + size.value() + ") must be at least 1");
        }
        return size.value();
    }

    private static Element scalarOrRecord(Class<?> t, String where, Set<Class<?>> building) {
        if (t == byte.class) {
            return new Element(ValueLayout.JAVA_BYTE, (v, s, o) -> s.set(ValueLayout.JAVA_BYTE, o, (Byte) v),
                    (s, o) -> s.get(ValueLayout.JAVA_BYTE, o));
        }
        if (t == boolean.class) {
            return new Element(ValueLayout.JAVA_BYTE,
                    (v, s, o) -> s.set(ValueLayout.JAVA_BYTE, o, (Boolean) v ? (byte) 1 : (byte) 0),
                    (s, o) -> s.get(ValueLayout.JAVA_BYTE, o) != 0);
        }
        if (t == short.class) {
            return new Element(ValueLayout.JAVA_SHORT,
                    (v, s, o) -> s.set(ValueLayout.JAVA_SHORT_UNALIGNED, o, (Short) v),
                    (s, o) -> s.get(ValueLayout.JAVA_SHORT_UNALIGNED, o));
        }
        if (t == int.class) {
            return new Element(ValueLayout.JAVA_INT, (v, s, o) -> s.set(ValueLayout.JAVA_INT_UNALIGNED, o, (Integer) v),
                    (s, o) -> s.get(ValueLayout.JAVA_INT_UNALIGNED, o));
        }
        if (t == long.class) {
            return new Element(ValueLayout.JAVA_LONG, (v, s, o) -> s.set(ValueLayout.JAVA_LONG_UNALIGNED, o, (Long) v),
                    (s, o) -> s.get(ValueLayout.JAVA_LONG_UNALIGNED, o));
        }
        if (t == float.class) {
            return new Element(ValueLayout.JAVA_FLOAT,
                    (v, s, o) -> s.set(ValueLayout.JAVA_FLOAT_UNALIGNED, o, (Float) v),
                    (s, o) -> s.get(ValueLayout.JAVA_FLOAT_UNALIGNED, o));
        }
        if (t == double.class) {
            return new Element(ValueLayout.JAVA_DOUBLE,
                    (v, s, o) -> s.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, o, (Double) v),
                    (s, o) -> s.get(ValueLayout.JAVA_DOUBLE_UNALIGNED, o));
        }
        if (t.isRecord()) {
            RecordCodec<?> nested = build(t.asSubclass(Record.class), building);
            return new Element(nested.layout(), (v, s, o) -> nested.encodeUnchecked(v, s, o), nested::decode);
        }
        throw new IllegalArgumentException(where + " has type " + t.getName() + ", which has no C layout: use "
                + "byte, short, int, long, float, double, boolean, a record, or an array or String with @Size");
    }

    private void encodeUnchecked(Object v, MemorySegment s, long o) {
        encode(type.cast(v), s, o);
    }

    private static MethodHandle accessor(Class<?> type, RecordComponent c) {
        try {
            var m = c.getAccessor();
            m.setAccessible(true);
            return MethodHandles.lookup().unreflect(m).asType(MethodType.methodType(Object.class, Object.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw inaccessible(type, e);
        }
    }

    private static MethodHandle constructor(Class<?> type, Class<?>[] types) {
        try {
            Constructor<?> k = type.getDeclaredConstructor(types);
            k.setAccessible(true);
            return MethodHandles.lookup().unreflectConstructor(k).asSpreader(Object[].class, types.length)
                    .asType(MethodType.methodType(Object.class, Object[].class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw inaccessible(type, e);
        }
    }

    private static IllegalArgumentException inaccessible(Class<?> type, Exception e) {
        return new IllegalArgumentException("record " + type.getName() + " is not accessible to bpfkit: make it "
                + "public, or open its package to io.bpfkit.runtime (" + e + ")", e);
    }
}
