package io.bpfkit.map;

import io.bpfkit.api.CodecException;
import io.bpfkit.api.annotation.CStruct;
import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.codec.Size;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.check.CType;
import io.bpfkit.check.RecordLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * A codec for a Java record laid out as the C struct with the same members in the same order:
 * natural alignment and padding, {@code byte}..{@code long} ({@link Unsigned} for the unsigned C
 * types), {@code float}, {@code double}, {@code boolean} (a one-byte {@code _Bool}), nested
 * records, and fixed arrays and strings whose length a {@link Size} annotation gives. The layout
 * comes from {@link RecordLayout}, the rules generated bindings are laid out by, so a record has
 * the same bytes and the same {@link CType} here as in a binding; a {@link CStruct} name on the
 * record is part of that type, and the map's BTF struct must then have that name.
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
 * <p>Encoding a record whose members do not fit their C form (a null member, an array of
 * another length than its {@code @Size}, a string too long for its array) throws a
 * {@link CodecException} naming the member, with the message the codec a binding generates for
 * the same record gives; encoding {@code null} itself is an {@link IllegalArgumentException}.
 *
 * @param <R> the record type
 */
public final class RecordCodec<R extends Record> implements Codec<R> {
    private static final ClassValue<RecordCodec<?>> CACHE = new ClassValue<>() {
        @Override
        protected RecordCodec<?> computeValue(Class<?> type) {
            return build(type.asSubclass(Record.class));
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
     * @throws io.bpfkit.check.LayoutException (a {@link CodecException}) when {@link RecordLayout}
     *     finds no C layout for it: a component type without one, an array or string without
     *     {@link Size}, {@link Unsigned} on a non-integer, a record that contains itself
     * @throws CodecException when the record is not accessible to bpfkit
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
            throw new IllegalArgumentException(type.getSimpleName() + " is null: a C value cannot be");
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

    private static <R extends Record> RecordCodec<R> build(Class<R> type) {
        if (!type.isRecord()) {
            throw new IllegalArgumentException(type.getName() + " is not a record");
        }
        CType.Struct struct = RecordLayout.struct(new ReflectedRecord(type));
        RecordComponent[] comps = type.getRecordComponents();
        List<RecordHandles.Member> members = new ArrayList<>();
        List<MethodHandle> accessors = new ArrayList<>();
        Class<?>[] ctorTypes = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            ctorTypes[i] = comps[i].getType();
            members.add(member(type, comps[i], struct.members().get(i).type()));
            accessors.add(accessor(type, comps[i]));
        }
        return new RecordCodec<>(type, struct, RecordHandles.encoder(struct, members, accessors),
                RecordHandles.decoder(struct, members, constructor(type, ctorTypes)));
    }

    /** The accesses of component {@code c}, whose C type {@link RecordLayout} says is {@code ctype}. */
    private static RecordHandles.Member member(Class<?> owner, RecordComponent c, CType ctype) {
        Class<?> t = c.getType();
        String where = owner.getSimpleName() + "." + c.getName();
        return switch (ctype) {
            case CType.Chars ch -> RecordHandles.string(ch.length(), where);
            case CType.Array a when a.element() instanceof CType.Struct ->
                    RecordHandles.recordArray(of(t.getComponentType().asSubclass(Record.class)), a.length(), where);
            case CType.Array a -> RecordHandles.primitiveArray(t.getComponentType(), a.length(), where);
            case CType.Struct s -> RecordHandles.record(of(t.asSubclass(Record.class)), where);
            default -> RecordHandles.scalar(t, where);
        };
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

    private static CodecException inaccessible(Class<?> type, Exception e) {
        return new CodecException("record " + type.getName() + " is not accessible to bpfkit: make it "
                + "public, or open its package to io.bpfkit.runtime (" + e + ")", e);
    }
}
