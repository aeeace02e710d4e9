package io.bpfkit.elf;

import io.bpfkit.api.ObjectFormatException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One ELF note ({@code SHT_NOTE}: name size, descriptor size, type, then the owner's name and
 * the descriptor, each padded to 4 bytes), as USDT probes ({@code .note.stapsdt}) and build ids
 * ({@code .note.gnu.build-id}) are written.
 *
 * <pre>{@code
 * for (ElfNote n : ElfNote.read(elf.section(".note.gnu.build-id").orElseThrow(), elf.order())) {
 *     if (n.type() == 3) { byte[] id = n.desc(section).toArray(ValueLayout.JAVA_BYTE); }
 * }
 * }</pre>
 *
 * @param offset where the note starts in its section
 * @param owner the name, up to its NUL ({@code "GNU"}, {@code "stapsdt"})
 * @param type the owner's note type
 * @param descOffset where the descriptor starts in the section
 * @param descSize the descriptor's size in bytes
 */
public record ElfNote(long offset, String owner, int type, long descOffset, long descSize) {
    /**
     * The notes of {@code section}, in order.
     *
     * @throws ObjectFormatException (section, offset) when a note runs past the section's end
     */
    public static List<ElfNote> read(ElfSection section, ByteOrder order) {
        MemorySegment d = section.data();
        ValueLayout.OfInt u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
        long size = d.byteSize();
        List<ElfNote> notes = new ArrayList<>();
        long off = 0;
        while (off + 12 <= size) {
            long nameSize = Integer.toUnsignedLong(d.get(u32, off));
            long descSize = Integer.toUnsignedLong(d.get(u32, off + 4));
            int type = d.get(u32, off + 8);
            long nameAt = off + 12;
            long descAt = nameAt + align4(nameSize);
            if (descAt > size || descAt + descSize > size) {
                throw new ObjectFormatException(section.name(), off, "note of " + nameSize + "+" + descSize
                        + " bytes runs past the section's end (" + size + " bytes)");
            }
            long nameEnd = nameAt;
            while (nameEnd < nameAt + nameSize && d.get(ValueLayout.JAVA_BYTE, nameEnd) != 0) {
                nameEnd++;
            }
            String owner = new String(d.asSlice(nameAt, nameEnd - nameAt).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.UTF_8);
            notes.add(new ElfNote(off, owner, type, descAt, descSize));
            off = descAt + align4(descSize);
        }
        return notes;
    }

    /** The descriptor's bytes in {@code section}, the one this note was read from. */
    public MemorySegment desc(ElfSection section) {
        return section.data().asSlice(descOffset, descSize);
    }

    private static long align4(long n) {
        return (n + 3) & ~3L;
    }
}
