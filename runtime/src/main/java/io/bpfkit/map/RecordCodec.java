package io.bpfkit.map;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.codec.Size;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.check.CType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.AnnotatedArrayType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A codec for a Java record laid out as the C struct with the same members in the same order:
 * natural alignment and padding, {@code byte}..{@code long} ({@link Unsigned} for the unsigned C
 * types), {@code float}, {@code double}, {@code boolean} (a one-byte {@code _Bool}), nested
 * records, and fixed arrays and strings whose length a {@link Size} annotation gives.
 *
 * <p>Built once per record type (cached): the accessors and the canonical constructor become
 * method handles, combined with the memory accesses of each member into one encoder and one
 * decoder, so a call does no reflection and boxes no primitive member. The layout's members
 * carry the component names, and {@link #ctype()} the C type with signedness, which map handles
 * compare with the map's BTF as bindings do.
 *
 * <pre>{@code
 * record Inner(int a, short b) {}
 * record Stats(@Unsigned long calls, int flags, Inner inner, @Size(16) String comm, @Size(3) int[] hist) {}
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
    private final CType.Struct ctype;
    private final StructLayout layout;
    /** {@code (Object record, MemorySegment, long offset) void}: zeroes the padding, writes every member. */
    private final MethodHandle encoder;
    /** {@code (MemorySegment, long offset) Object}: reads every member into the canonical constructor. */
    private final MethodHandle decoder;

    private RecordCodec(Class<R> type, CType.Struct ctype, MethodHandle encoder, MethodHandle decoder) {
        this.type = type;
        this.ctype = ctype;
        this.layout = (StructLayout) ctype.layout();
        this.encoder = encoder;
        this.decoder = decoder;
    }

    /**
     * The codec of {@code type}, built on first use.
     *
     * @throws IllegalArgumentException when a component has a type without a C layout, an array
     *     or string without {@link Size}, {@link Unsigned} on a non-integer, or the record
     *     contains itself
     */
    @SuppressWarnings("unchecked")
    public static <R extends Record> RecordCodec<R> of(Class<R> type) {
        return (RecordCodec<R>) CACHE.get(type);
    }

    /** The record type. */
    public Class<R> type() {
        return type;
    }

    /** The C struct the record stands for: members, offsets, and the signedness of integers. */
    public CType.Struct ctype() {
        return ctype;
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
        if (value == null) {
            throw new IllegalArgumentException("a null " + type.getSimpleName() + " cannot be encoded: a C struct "
                    + "has a value");
        }
        try {
            encoder.invokeExact((Object) value, target, offset);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot encode " + value, t);
        }
    }

    @Override
    public R decode(MemorySegment source, long offset) {
        try {
            return type.cast((Object) decoder.invokeExact(source, offset));
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

    /** The encoder as a member of an enclosing record: {@code (MemorySegment, long, Object) void}. */
    MethodHandle memberEncoder() {
        return MethodHandles.permuteArguments(encoder, MethodType.methodType(void.class, MemorySegment.class,
                long.class, Object.class), 2, 0, 1);
    }

    /** The decoder: {@code (MemorySegment, long) Object}. */
    MethodHandle memberDecoder() {
        return decoder;
    }

    // ---- building -------------------------------------------------------------------------

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
        List<CType.Field> fields = new ArrayList<>();
        List<RecordHandles.Member> members = new ArrayList<>();
        Class<?>[] ctorTypes = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            RecordComponent c = comps[i];
            ctorTypes[i] = c.getType();
            RecordHandles.Member m = member(type, c, building);
            fields.add(CType.member(c.getName(), m.type()));
            members.add(m);
        }
        CType.Struct struct = CType.struct(type.getSimpleName(), null, fields.toArray(CType.Field[]::new));
        building.remove(type);
        List<MethodHandle> accessors = new ArrayList<>();
        for (RecordComponent c : comps) {
            accessors.add(accessor(type, c));
        }
        return new RecordCodec<>(type, struct, RecordHandles.encoder(struct, members, accessors),
                RecordHandles.decoder(struct, members, constructor(type, ctorTypes)));
    }

    private static RecordHandles.Member member(Class<?> owner, RecordComponent c, Set<Class<?>> building) {
        Class<?> t = c.getType();
        Size size = c.getAnnotation(Size.class);
        String where = owner.getSimpleName() + "." + c.getName();
        boolean unsigned = unsigned(c);
        String isNull = "component '" + c.getName() + "' of " + owner.getSimpleName() + " is null: a C struct member "
                + "has a value";
        if (t == String.class) {
            noUnsigned(unsigned, where, "a String");
            return RecordHandles.string(length(size, where, "a String (a char[N])"), isNull);
        }
        if (t.isArray()) {
            int n = length(size, where, "an array");
            Class<?> et = t.getComponentType();
            if (et.isRecord()) {
                noUnsigned(unsigned, where, "an array of records");
                return RecordHandles.recordArray(build(et.asSubclass(Record.class), building), n, where, isNull);
            }
            return RecordHandles.primitiveArray(scalarType(et, unsigned, where), et, n, where, isNull);
        }
        if (size != null) {
            throw new IllegalArgumentException(where + ": @Size is for arrays and strings, not " + t.getSimpleName());
        }
        if (t.isRecord()) {
            noUnsigned(unsigned, where, "a record");
            return RecordHandles.record(build(t.asSubclass(Record.class), building), isNull);
        }
        return RecordHandles.scalar(scalarType(t, unsigned, where), t);
    }

    /** {@code @Unsigned} on the component, its type, or (for arrays) its element type. */
    private static boolean unsigned(RecordComponent c) {
        AnnotatedType at = c.getAnnotatedType();
        return c.isAnnotationPresent(Unsigned.class) || at.isAnnotationPresent(Unsigned.class)
                || at instanceof AnnotatedArrayType a && a.getAnnotatedGenericComponentType()
                .isAnnotationPresent(Unsigned.class);
    }

    private static void noUnsigned(boolean unsigned, String where, String what) {
        if (unsigned) {
            throw new IllegalArgumentException(where + ": @Unsigned is for integers, not " + what);
        }
    }

    private static CType scalarType(Class<?> t, boolean unsigned, String where) {
        CType c;
        if (t == byte.class) {
            c = CType.integer(1, unsigned);
        } else if (t == short.class) {
            c = CType.integer(2, unsigned);
        } else if (t == int.class) {
            c = CType.integer(4, unsigned);
        } else if (t == long.class) {
            c = CType.integer(8, unsigned);
        } else if (t == float.class || t == double.class || t == boolean.class) {
            noUnsigned(unsigned, where, t.getName());
            c = t == boolean.class ? CType.bool() : CType.floating(t == float.class ? 4 : 8);
        } else {
            throw new IllegalArgumentException(where + " has type " + t.getName() + ", which has no C layout: use "
                    + "byte, short, int, long, float, double, boolean, a record, or an array or String with @Size");
        }
        return c;
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

    private static MethodHandle accessor(Class<?> type, RecordComponent c) {
        try {
            var m = c.getAccessor();
            m.setAccessible(true);
            return MethodHandles.lookup().unreflect(m);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw inaccessible(type, e);
        }
    }

    private static MethodHandle constructor(Class<?> type, Class<?>[] types) {
        try {
            Constructor<?> k = type.getDeclaredConstructor(types);
            k.setAccessible(true);
            return MethodHandles.lookup().unreflectConstructor(k);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw inaccessible(type, e);
        }
    }

    private static IllegalArgumentException inaccessible(Class<?> type, Exception e) {
        return new IllegalArgumentException("record " + type.getName() + " is not accessible to bpfkit: make it "
                + "public, or open its package to io.bpfkit.runtime (" + e + ")", e);
    }
}
