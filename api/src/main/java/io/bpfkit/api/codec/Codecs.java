package io.bpfkit.api.codec;

import io.bpfkit.api.CodecException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The built-in codecs: C integers (signed and unsigned), floating point, {@code _Bool}, fixed
 * byte arrays and fixed C strings, in the host's byte order (that of the BPF objects it loads).
 * Unsigned types are held in the next wider Java type so every value fits, except
 * {@link #uint64()}, which keeps the 64 bits in a {@code long} ({@link Long#toUnsignedString}).
 * Against a map's BTF, the {@code uintN} codecs fit only unsigned integers; the {@code intN}
 * codecs carry the bits of either signedness, as a Java {@code int} holds a {@code __u32}
 * ({@link Integer#toUnsignedLong}).
 *
 * <pre>{@code
 * Codec<Integer> pid = Codecs.int32();
 * Codec<Long> bytes = Codecs.uint32();          // __u32 read as 0 .. 4294967295
 * Codec<String> comm = Codecs.cString(16);      // char comm[16]
 * Codec<byte[]> addr = Codecs.bytes(4);         // __u8 addr[4]
 * }</pre>
 *
 * <p>A value that does not fit its C form (a {@code uintN} value out of range, a string too
 * long for its array, a byte array of another length) is a {@link CodecException}.
 */
public final class Codecs {
    private static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private static final Codec<Byte> INT8 = new Scalar<>("int8", ValueLayout.JAVA_BYTE) {
        public void encode(Byte v, MemorySegment s, long o) {
            s.set(I8, o, v);
        }

        public Byte decode(MemorySegment s, long o) {
            return s.get(I8, o);
        }
    };
    private static final Codec<Integer> UINT8 = new Scalar<>("uint8", ValueLayout.JAVA_BYTE) {
        public void encode(Integer v, MemorySegment s, long o) {
            s.set(I8, o, (byte) checkUnsigned(v, 0xffL, "uint8"));
        }

        public Integer decode(MemorySegment s, long o) {
            return Byte.toUnsignedInt(s.get(I8, o));
        }
    };
    private static final Codec<Short> INT16 = new Scalar<>("int16", ValueLayout.JAVA_SHORT) {
        public void encode(Short v, MemorySegment s, long o) {
            s.set(I16, o, v);
        }

        public Short decode(MemorySegment s, long o) {
            return s.get(I16, o);
        }
    };
    private static final Codec<Integer> UINT16 = new Scalar<>("uint16", ValueLayout.JAVA_SHORT) {
        public void encode(Integer v, MemorySegment s, long o) {
            s.set(I16, o, (short) checkUnsigned(v, 0xffffL, "uint16"));
        }

        public Integer decode(MemorySegment s, long o) {
            return Short.toUnsignedInt(s.get(I16, o));
        }
    };
    private static final Codec<Integer> INT32 = new Scalar<>("int32", ValueLayout.JAVA_INT) {
        public void encode(Integer v, MemorySegment s, long o) {
            s.set(I32, o, v);
        }

        public Integer decode(MemorySegment s, long o) {
            return s.get(I32, o);
        }
    };
    private static final Codec<Long> UINT32 = new Scalar<>("uint32", ValueLayout.JAVA_INT) {
        public void encode(Long v, MemorySegment s, long o) {
            s.set(I32, o, (int) checkUnsigned(v, 0xffff_ffffL, "uint32"));
        }

        public Long decode(MemorySegment s, long o) {
            return Integer.toUnsignedLong(s.get(I32, o));
        }
    };
    private static final Codec<Long> INT64 = new Scalar<>("int64", ValueLayout.JAVA_LONG) {
        public void encode(Long v, MemorySegment s, long o) {
            s.set(I64, o, v);
        }

        public Long decode(MemorySegment s, long o) {
            return s.get(I64, o);
        }
    };
    private static final Codec<Long> UINT64 = new Scalar<>("uint64", ValueLayout.JAVA_LONG) {
        public void encode(Long v, MemorySegment s, long o) {
            s.set(I64, o, v);
        }

        public Long decode(MemorySegment s, long o) {
            return s.get(I64, o);
        }
    };
    private static final Codec<Float> FLOAT32 = new Scalar<>("float32", ValueLayout.JAVA_FLOAT) {
        public void encode(Float v, MemorySegment s, long o) {
            s.set(F32, o, v);
        }

        public Float decode(MemorySegment s, long o) {
            return s.get(F32, o);
        }
    };
    private static final Codec<Double> FLOAT64 = new Scalar<>("float64", ValueLayout.JAVA_DOUBLE) {
        public void encode(Double v, MemorySegment s, long o) {
            s.set(F64, o, v);
        }

        public Double decode(MemorySegment s, long o) {
            return s.get(F64, o);
        }
    };
    private static final Codec<Boolean> BOOL = new Scalar<>("bool", ValueLayout.JAVA_BYTE) {
        public void encode(Boolean v, MemorySegment s, long o) {
            s.set(I8, o, v ? (byte) 1 : (byte) 0);
        }

        public Boolean decode(MemorySegment s, long o) {
            return s.get(I8, o) != 0;
        }
    };

    private Codecs() {
    }

    /** {@code __s8} / {@code signed char}. */
    public static Codec<Byte> int8() {
        return INT8;
    }

    /** {@code __u8}, as 0 .. 255. */
    public static Codec<Integer> uint8() {
        return UINT8;
    }

    /** {@code __s16}. */
    public static Codec<Short> int16() {
        return INT16;
    }

    /** {@code __u16}, as 0 .. 65535. */
    public static Codec<Integer> uint16() {
        return UINT16;
    }

    /** {@code __s32} / {@code int}. */
    public static Codec<Integer> int32() {
        return INT32;
    }

    /** {@code __u32}, as 0 .. 2^32-1. */
    public static Codec<Long> uint32() {
        return UINT32;
    }

    /** {@code __s64} / {@code long}. */
    public static Codec<Long> int64() {
        return INT64;
    }

    /** {@code __u64}: the 64 bits in a {@code long} (read with {@link Long#toUnsignedString}). */
    public static Codec<Long> uint64() {
        return UINT64;
    }

    /** {@code float}. */
    public static Codec<Float> float32() {
        return FLOAT32;
    }

    /** {@code double}. */
    public static Codec<Double> float64() {
        return FLOAT64;
    }

    /** {@code _Bool} / {@code bool}: one byte, 0 or 1 (any non-zero byte reads as true). */
    public static Codec<Boolean> bool() {
        return BOOL;
    }

    /**
     * {@code __u8[length]}: encodes an array of exactly {@code length} bytes; decodes a new array.
     * Encoding an array of another length throws {@link CodecException}.
     *
     * @throws IllegalArgumentException when {@code length} is below 1
     */
    public static Codec<byte[]> bytes(int length) {
        checkLength(length);
        return new Codec<>() {
            private final MemoryLayout layout = MemoryLayout.sequenceLayout(length, ValueLayout.JAVA_BYTE);

            public MemoryLayout layout() {
                return layout;
            }

            public void encode(byte[] v, MemorySegment s, long o) {
                if (v.length != length) {
                    throw new CodecException("expected " + length + " bytes, got " + v.length);
                }
                MemorySegment.copy(v, 0, s, I8, o, length);
            }

            public byte[] decode(MemorySegment s, long o) {
                byte[] b = new byte[length];
                MemorySegment.copy(s, I8, o, b, 0, length);
                return b;
            }

            @Override
            public String toString() {
                return "Codecs.bytes(" + length + ")";
            }
        };
    }

    /**
     * {@code char[length]} holding a NUL-terminated UTF-8 string: encodes at most
     * {@code length - 1} bytes and pads with NULs; decodes up to the first NUL (or all
     * {@code length} bytes when there is none, as a program may fill the array).
     */
    public static Codec<String> cString(int length) {
        checkLength(length);
        return new Codec<>() {
            private final MemoryLayout layout = MemoryLayout.sequenceLayout(length, ValueLayout.JAVA_BYTE);

            public MemoryLayout layout() {
                return layout;
            }

            public void encode(String v, MemorySegment s, long o) {
                encodeCString(v, length, s, o);
            }

            public String decode(MemorySegment s, long o) {
                return decodeCString(s, o, length);
            }

            @Override
            public String toString() {
                return "Codecs.cString(" + length + ")";
            }
        };
    }

    /**
     * Writes {@code v} as a NUL-padded {@code char[length]}.
     *
     * @throws CodecException when its UTF-8 bytes do not fit with a NUL
     */
    public static void encodeCString(String v, int length, MemorySegment s, long o) {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        if (b.length >= length) {
            throw new CodecException("string of " + b.length + " UTF-8 bytes does not fit in char["
                    + length + "] with its NUL: '" + v + "'");
        }
        MemorySegment.copy(b, 0, s, I8, o, b.length);
        s.asSlice(o + b.length, length - b.length).fill((byte) 0);
    }

    /** Writes {@code a} as {@code _Bool[a.length]}: 1 for true, 0 for false. */
    public static void encodeBooleans(boolean[] a, MemorySegment s, long o) {
        for (int i = 0; i < a.length; i++) {
            s.set(I8, o + i, a[i] ? (byte) 1 : (byte) 0);
        }
    }

    /** Reads {@code _Bool[n]}: any byte but 0 is true, as in C. */
    public static boolean[] decodeBooleans(MemorySegment s, long o, int n) {
        boolean[] a = new boolean[n];
        for (int i = 0; i < n; i++) {
            a[i] = s.get(I8, o + i) != 0;
        }
        return a;
    }

    /** Reads a {@code char[length]} up to its first NUL. */
    public static String decodeCString(MemorySegment s, long o, int length) {
        int n = 0;
        while (n < length && s.get(I8, o + n) != 0) {
            n++;
        }
        byte[] b = new byte[n];
        MemorySegment.copy(s, I8, o, b, 0, n);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void checkLength(int length) {
        if (length < 1) {
            throw new IllegalArgumentException("length must be at least 1: " + length);
        }
    }

    private static long checkUnsigned(Number v, long max, String type) {
        long x = v.longValue();
        if (x < 0 || x > max) {
            throw new CodecException(v + " is out of range for " + type + " (0 .. " + max + ")");
        }
        return x;
    }

    /** A codec of one C scalar; {@code toString} names it. */
    private abstract static class Scalar<T> implements Codec<T> {
        private final String name;
        private final MemoryLayout layout;

        Scalar(String name, MemoryLayout layout) {
            this.name = name;
            this.layout = Objects.requireNonNull(layout);
        }

        @Override
        public MemoryLayout layout() {
            return layout;
        }

        @Override
        public long size() {
            return layout.byteSize();
        }

        @Override
        public String toString() {
            return "Codecs." + name + "()";
        }
    }
}
