package io.bpfkit.elf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A string table as ELF ({@code .strtab}, {@code .shstrtab}) and BTF write them: NUL-terminated
 * UTF-8 strings, each written once, found by their offset. A new table starts with the empty
 * string at offset 0; {@link #after(long)} continues an existing table.
 *
 * <pre>{@code
 * StringTable names = new StringTable();
 * int off = names.add(".text");        // 1
 * names.add(".text");                   // 1 again
 * byte[] section = names.bytes();       // "\0.text\0"
 * }</pre>
 */
public final class StringTable {
    private final long base;
    private final Map<String, Integer> offsets = new HashMap<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    /** A table whose offset 0 is the empty string. */
    public StringTable() {
        this(0);
        add("");
    }

    private StringTable(long base) {
        this.base = base;
    }

    /**
     * A table of strings appended to an existing one of {@code base} bytes: offsets count from
     * that table's start, and {@link #bytes()} holds the appended strings only.
     */
    public static StringTable after(long base) {
        return new StringTable(base);
    }

    /** The offset of {@code s}, written at the end the first time it is asked for. */
    public int add(String s) {
        Integer known = offsets.get(s);
        if (known != null) {
            return known;
        }
        long offset = base + bytes.size();
        if (offset > Integer.MAX_VALUE) {
            throw new IllegalStateException("string table over 2 GiB");
        }
        bytes.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        bytes.write(0);
        offsets.put(s, (int) offset);
        return (int) offset;
    }

    /** How many bytes this table wrote (without the base it continues). */
    public int size() {
        return bytes.size();
    }

    /** The bytes this table wrote. */
    public byte[] bytes() {
        return bytes.toByteArray();
    }
}
