package io.bpfkit.api.map;

import io.bpfkit.api.codec.Codec;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The global variables of one data section ({@code .bss}, {@code .data}, {@code .data.*},
 * {@code .rodata}, {@code .rodata.*}) after load, through a shared mapping of the section's
 * map: reads and writes are memory accesses, no system call, and programs see them at once.
 * {@code .rodata} is frozen at load: it reads fine, and a write is refused with
 * {@link IllegalStateException} (set read-only variables on the spec, before load).
 * A name the section has no variable of, or a variable of another size than the accessor or
 * codec, is a {@link io.bpfkit.api.LoadException}, as a binding's {@code @Global} that does
 * not fit the object is; a value that does not fit its C form is a
 * {@link io.bpfkit.api.CodecException}.
 *
 * <pre>{@code
 * BpfGlobals bss = BpfMaps.globals(loaded, ".bss");
 * long hits = bss.getLong("hits");
 * bss.setInt("target_pid", 1234);
 * Stats s = bss.get("last", statsCodec);
 * }</pre>
 */
public interface BpfGlobals extends BpfMap {

    /** The section's name, e.g. {@code .bss}. */
    String section();

    /** The names of the section's variables, in offset order. */
    List<String> variables();

    /** Whether writes are refused ({@code .rodata} after load, or a section frozen since). */
    boolean readOnly();

    /** The whole section, mapped (read-only for {@code .rodata}); valid until close. */
    MemorySegment segment();

    /** The bytes of one variable, a slice of {@link #segment()}. */
    MemorySegment variable(String name);

    byte getByte(String name);

    short getShort(String name);

    int getInt(String name);

    long getLong(String name);

    float getFloat(String name);

    double getDouble(String name);

    void setByte(String name, byte value);

    void setShort(String name, short value);

    void setInt(String name, int value);

    void setLong(String name, long value);

    void setFloat(String name, float value);

    void setDouble(String name, double value);

    /** Decodes variable {@code name} with {@code codec}, whose size must be the variable's. */
    <T> T get(String name, Codec<T> codec);

    /** Encodes {@code value} into variable {@code name}. */
    <T> void set(String name, Codec<T> codec, T value);
}
