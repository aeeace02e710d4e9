package io.bpfkit.elf;

/**
 * One program header of an executable or shared library: how a range of the file is mapped
 * into memory. {@code type} is {@code PT_*} ({@link ElfFile#PT_LOAD} for a loaded segment),
 * {@code flags} {@code PF_X | PF_W | PF_R}.
 *
 * <pre>{@code
 * // the virtual address of a file offset a /proc/PID/maps line maps
 * elf.segmentAtOffset(fileOffset).map(seg -> seg.virtualAddressOf(fileOffset));
 * }</pre>
 */
public record ElfSegment(int type, int flags, long fileOffset, long virtualAddress, long fileSize, long memorySize,
                         long alignment) {
    /** {@code PF_X}. */
    public static final int PF_X = 1;

    /** True for a loaded segment ({@code PT_LOAD}). */
    public boolean isLoad() {
        return type == ElfFile.PT_LOAD;
    }

    /** True when the segment is mapped executable. */
    public boolean isExecutable() {
        return (flags & PF_X) != 0;
    }

    /** True when {@code offset} lies in the part of the file this segment maps. */
    public boolean containsFileOffset(long offset) {
        return offset >= fileOffset && offset - fileOffset < fileSize;
    }

    /** The link-time virtual address that file offset {@code offset} of this segment is loaded at. */
    public long virtualAddressOf(long offset) {
        return offset - fileOffset + virtualAddress;
    }
}
