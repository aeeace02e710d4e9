package io.bpfkit.map;

import io.bpfkit.api.CodecException;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.check.CType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * The method handles a {@link RecordCodec} is made of: per member a writer
 * {@code (MemorySegment, long, T) void} and a reader {@code (MemorySegment, long) T} on the
 * member's own type (primitives stay primitive), then one encoder and one decoder per record
 * that call the accessors, the canonical constructor and the members' accesses at their offsets.
 * Combined once, when the codec is built.
 */
final class RecordHandles {
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final MethodHandle ADD = find("add", long.class, long.class, long.class);
    private static final MethodHandle PRESENT = find("present", Object.class, Object.class, String.class);
    private static final MethodHandle ZERO = find("zero", void.class, MemorySegment.class, long.class, long[].class);
    private static final MethodHandle BOOLEAN_TO_BYTE = find("toByte", byte.class, boolean.class);
    private static final MethodHandle BYTE_TO_BOOLEAN = find("toBoolean", boolean.class, byte.class);
    private static final MethodHandle WRITE_ARRAY = find("writeArray", void.class, MemorySegment.class, long.class,
            int.class, Object.class, ValueLayout.class, int.class, String.class);
    private static final MethodHandle READ_ARRAY = find("readArray", Object.class, Object.class, MemorySegment.class,
            long.class, ValueLayout.class, int.class);
    private static final MethodHandle WRITE_RECORDS = find("writeRecords", void.class, MemorySegment.class,
            long.class, Object[].class, int.class, long.class, String.class, MethodHandle.class);
    private static final MethodHandle READ_RECORDS = find("readRecords", Object[].class, Object[].class,
            MemorySegment.class, long.class, long.class, MethodHandle.class);
    private static final MethodHandle ENCODE_STRING;
    private static final MethodHandle DECODE_STRING;
    /** {@code _Bool[n]}, through the codec helpers the generated codecs use too. */
    private static final MethodHandle WRITE_BOOLEANS;
    private static final MethodHandle READ_BOOLEANS;

    static {
        try {
            ENCODE_STRING = MethodHandles.publicLookup().findStatic(Codecs.class, "encodeCString",
                    MethodType.methodType(void.class, String.class, int.class, MemorySegment.class, long.class));
            DECODE_STRING = MethodHandles.publicLookup().findStatic(Codecs.class, "decodeCString",
                    MethodType.methodType(String.class, MemorySegment.class, long.class, int.class));
            WRITE_BOOLEANS = MethodHandles.lookup().findStatic(RecordHandles.class, "writeBooleans",
                    MethodType.methodType(void.class, boolean[].class, int.class, String.class, MemorySegment.class,
                            long.class));
            READ_BOOLEANS = MethodHandles.publicLookup().findStatic(Codecs.class, "decodeBooleans",
                    MethodType.methodType(boolean[].class, MemorySegment.class, long.class, int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private RecordHandles() {
    }

    /**
     * One member: a writer {@code (MemorySegment, long, T) void} and a reader
     * {@code (MemorySegment, long) T}, both at offset 0 of the member. Its C type and offset are
     * the struct's ({@link io.bpfkit.check.RecordLayout}).
     */
    record Member(MethodHandle writer, MethodHandle reader) {
    }

    // ---- members --------------------------------------------------------------------------

    /**
     * A primitive of type {@code javaType} ({@code int.class}, ...), or its box
     * ({@code Integer.class}, refused when null as member {@code where}).
     */
    static Member scalar(Class<?> javaType, String where) {
        Class<?> primitive = MethodType.methodType(javaType).unwrap().returnType();
        if (primitive != javaType) {
            Member unboxed = scalar(primitive, where);
            return new Member(present(unboxed.writer().asType(unboxed.writer().type().changeParameterType(2,
                    javaType)), where), unboxed.reader().asType(unboxed.reader().type()
                    .changeReturnType(javaType)));
        }
        ValueLayout layout = unaligned(javaType);
        VarHandle access = layout.varHandle();
        MethodHandle set = access.toMethodHandle(VarHandle.AccessMode.SET);
        MethodHandle get = access.toMethodHandle(VarHandle.AccessMode.GET);
        if (javaType == boolean.class) {
            set = MethodHandles.filterArguments(set, 2, BOOLEAN_TO_BYTE);
            get = MethodHandles.filterReturnValue(get, BYTE_TO_BOOLEAN);
        }
        return new Member(set, get);
    }

    /** A {@code char[length]} holding a NUL-terminated string. */
    static Member string(int length, String where) {
        MethodHandle write = MethodHandles.permuteArguments(MethodHandles.insertArguments(ENCODE_STRING, 1, length),
                MethodType.methodType(void.class, MemorySegment.class, long.class, String.class), 2, 0, 1);
        return new Member(present(write, where),
                MethodHandles.insertArguments(DECODE_STRING, 2, length));
    }

    /** An array of {@code length} primitives of type {@code elementType}. */
    static Member primitiveArray(Class<?> elementType, int length, String where) {
        Class<?> arrayType = elementType.arrayType();
        MethodHandle write;
        MethodHandle read;
        if (elementType == boolean.class) {
            write = MethodHandles.permuteArguments(MethodHandles.insertArguments(WRITE_BOOLEANS, 1, length, where),
                    MethodType.methodType(void.class, MemorySegment.class, long.class, boolean[].class), 2, 0, 1);
            read = MethodHandles.insertArguments(READ_BOOLEANS, 2, length);
        } else {
            ValueLayout layout = unaligned(elementType);
            // (MemorySegment, long, int length, Object array): the length folded in from the array
            MethodHandle w = MethodHandles.insertArguments(WRITE_ARRAY, 4, layout, length, where)
                    .asType(MethodType.methodType(void.class, MemorySegment.class, long.class, int.class, arrayType));
            write = MethodHandles.foldArguments(w, 2, MethodHandles.arrayLength(arrayType));
            MethodHandle r = MethodHandles.insertArguments(READ_ARRAY, 3, layout, length);
            MethodHandle fresh = MethodHandles.insertArguments(MethodHandles.arrayConstructor(arrayType), 0, length)
                    .asType(MethodType.methodType(Object.class));
            read = MethodHandles.foldArguments(r, 0, fresh)
                    .asType(MethodType.methodType(arrayType, MemorySegment.class, long.class));
        }
        return new Member(present(write, where), read);
    }

    /** An array of {@code length} records of {@code codec}. */
    static Member recordArray(RecordCodec<?> codec, int length, String where) {
        Class<?> arrayType = codec.type().arrayType();
        long stride = codec.size();
        MethodHandle write = MethodHandles.insertArguments(WRITE_RECORDS, 3, length, stride, where,
                codec.memberEncoder()).asType(MethodType.methodType(void.class, MemorySegment.class, long.class,
                arrayType));
        MethodHandle fresh = MethodHandles.insertArguments(MethodHandles.arrayConstructor(arrayType), 0, length)
                .asType(MethodType.methodType(Object[].class));
        MethodHandle read = MethodHandles.foldArguments(MethodHandles.insertArguments(READ_RECORDS, 3, stride,
                codec.memberDecoder()), 0, fresh)
                .asType(MethodType.methodType(arrayType, MemorySegment.class, long.class));
        return new Member(present(write, where), read);
    }

    /** A nested record. */
    static Member record(RecordCodec<?> codec, String where) {
        Class<?> t = codec.type();
        MethodHandle write = codec.memberEncoder()
                .asType(MethodType.methodType(void.class, MemorySegment.class, long.class, t));
        MethodHandle read = codec.memberDecoder().asType(MethodType.methodType(t, MemorySegment.class, long.class));
        return new Member(present(write, where), read);
    }

    // ---- records --------------------------------------------------------------------------

    /**
     * {@code (Object record, MemorySegment, long offset) void}: zeroes the padding, then writes
     * each member from its accessor at its offset, in order.
     */
    static MethodHandle encoder(CType.Struct struct, List<Member> members, List<MethodHandle> accessors) {
        MethodType type = MethodType.methodType(void.class, Object.class, MemorySegment.class, long.class);
        MethodHandle encoder = MethodHandles.empty(type);
        for (int i = members.size() - 1; i >= 0; i--) {
            MethodHandle accessor = accessors.get(i);
            MethodHandle write = at(members.get(i).writer(), struct.members().get(i).offset());
            write = MethodHandles.filterArguments(write, 2,
                    accessor.asType(MethodType.methodType(accessor.type().returnType(), Object.class)));
            encoder = MethodHandles.foldArguments(encoder, MethodHandles.permuteArguments(write, type, 1, 2, 0));
        }
        long[] gaps = padding(struct);
        if (gaps.length > 0) {
            MethodHandle zero = MethodHandles.insertArguments(ZERO, 2, (Object) gaps);
            encoder = MethodHandles.foldArguments(encoder, MethodHandles.dropArguments(zero, 0, Object.class));
        }
        return encoder;
    }

    /**
     * {@code (MemorySegment, long offset) Object}: reads each member at its offset and passes
     * them to the canonical constructor {@code constructor}.
     */
    static MethodHandle decoder(CType.Struct struct, List<Member> members, MethodHandle constructor) {
        int n = members.size();
        MethodHandle decoder = MethodHandles.dropArguments(
                constructor.asType(constructor.type().changeReturnType(Object.class)), n, MemorySegment.class,
                long.class);
        // (c0 .. ci, MemorySegment, long): fold the reader of ci from the trailing (segment, offset)
        for (int i = n - 1; i >= 0; i--) {
            decoder = MethodHandles.foldArguments(decoder, i, at(members.get(i).reader(),
                    struct.members().get(i).offset()));
        }
        return decoder;
    }

    /** The padding of {@code struct}: (offset, length) pairs of the gaps between and after members. */
    private static long[] padding(CType.Struct struct) {
        long[] gaps = new long[2 * (struct.members().size() + 1)];
        int n = 0;
        long at = 0;
        for (CType.Member m : struct.members()) {
            if (m.offset() > at) {
                gaps[n++] = at;
                gaps[n++] = m.offset() - at;
            }
            at = m.offset() + m.type().size();
        }
        if (struct.size() > at) {
            gaps[n++] = at;
            gaps[n++] = struct.size() - at;
        }
        return java.util.Arrays.copyOf(gaps, n);
    }

    /** {@code access} (segment, offset first) moved to {@code offset} bytes past the given offset. */
    private static MethodHandle at(MethodHandle access, long offset) {
        return offset == 0 ? access : MethodHandles.filterArguments(access, 1,
                MethodHandles.insertArguments(ADD, 1, offset));
    }

    /** {@code write} refusing a null value (argument 2) of member {@code where}. */
    private static MethodHandle present(MethodHandle write, String where) {
        Class<?> t = write.type().parameterType(2);
        return MethodHandles.filterArguments(write, 2, MethodHandles.insertArguments(PRESENT, 1, where)
                .asType(MethodType.methodType(t, t)));
    }

    private static ValueLayout unaligned(Class<?> javaType) {
        if (javaType == byte.class || javaType == boolean.class) {
            return ValueLayout.JAVA_BYTE;
        } else if (javaType == short.class) {
            return ValueLayout.JAVA_SHORT_UNALIGNED;
        } else if (javaType == int.class) {
            return ValueLayout.JAVA_INT_UNALIGNED;
        } else if (javaType == long.class) {
            return ValueLayout.JAVA_LONG_UNALIGNED;
        } else if (javaType == float.class) {
            return ValueLayout.JAVA_FLOAT_UNALIGNED;
        } else if (javaType == double.class) {
            return ValueLayout.JAVA_DOUBLE_UNALIGNED;
        }
        throw new IllegalArgumentException("not a primitive with a C layout: " + javaType);
    }

    private static MethodHandle find(String name, Class<?> returns, Class<?>... params) {
        try {
            return LOOKUP.findStatic(RecordHandles.class, name, MethodType.methodType(returns, params));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // ---- the pieces the handles call ------------------------------------------------------

    private static long add(long offset, long delta) {
        return offset + delta;
    }

    private static Object present(Object value, String where) {
        if (value == null) {
            throw CodecException.nullMember(where);
        }
        return value;
    }

    private static void zero(MemorySegment s, long o, long[] gaps) {
        for (int i = 0; i < gaps.length; i += 2) {
            for (long b = 0; b < gaps[i + 1]; b++) {
                s.set(ValueLayout.JAVA_BYTE, o + gaps[i] + b, (byte) 0);
            }
        }
    }

    private static byte toByte(boolean b) {
        return b ? (byte) 1 : (byte) 0;
    }

    private static boolean toBoolean(byte b) {
        return b != 0;
    }

    private static void writeArray(MemorySegment s, long o, int actual, Object array, ValueLayout layout, int length,
            String where) {
        CodecException.requireLength(where, length, actual);
        MemorySegment.copy(array, 0, s, layout, o, length);
    }

    private static void writeBooleans(boolean[] a, int length, String where, MemorySegment s, long o) {
        CodecException.requireLength(where, length, a.length);
        Codecs.encodeBooleans(a, s, o);
    }

    private static Object readArray(Object array, MemorySegment s, long o, ValueLayout layout, int length) {
        MemorySegment.copy(s, layout, o, array, 0, length);
        return array;
    }

    private static void writeRecords(MemorySegment s, long o, Object[] v, int length, long stride, String where,
            MethodHandle encoder) throws Throwable {
        CodecException.requireLength(where, length, v.length);
        for (int i = 0; i < length; i++) {
            if (v[i] == null) {
                throw CodecException.nullMember(where + "[" + i + "]");
            }
            encoder.invokeExact(s, o + i * stride, v[i]);
        }
    }

    private static Object[] readRecords(Object[] fresh, MemorySegment s, long o, long stride, MethodHandle decoder)
            throws Throwable {
        for (int i = 0; i < fresh.length; i++) {
            fresh[i] = (Object) decoder.invokeExact(s, o + i * stride);
        }
        return fresh;
    }
}
