package io.bpfkit.api;

import java.util.Objects;

/**
 * An eBPF object (or a BTF blob) that cannot be read: truncated, corrupted, hostile, or not an
 * eBPF object at all. Names the file, the section and the byte offset where the problem is,
 * as far as they are known.
 *
 * <p>Offsets are relative to the section named, or to the file when no section is named.
 */
public final class ObjectFormatException extends BpfException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String section;
    private final long offset;
    private final String problem;

    /**
     * @param section the ELF section (or BTF part such as {@code ".BTF"}), or null for the file
     * @param offset the byte offset of the problem, or -1 when there is none
     * @param problem what is wrong, as a short phrase
     */
    public ObjectFormatException(String section, long offset, String problem) {
        this(null, section, offset, problem, null);
    }

    public ObjectFormatException(String file, String section, long offset, String problem, Throwable cause) {
        super(format(file, section, offset, problem), cause);
        this.file = file;
        this.section = section;
        this.offset = offset;
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    /** The same problem, now also naming the file it was found in. */
    public ObjectFormatException inFile(String file) {
        if (this.file != null) {
            return this;
        }
        ObjectFormatException e = new ObjectFormatException(file, section, offset, problem, getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** The same problem, located inside {@code section} when no section was known yet. */
    public ObjectFormatException inSection(String section) {
        if (this.section != null) {
            return this;
        }
        ObjectFormatException e = new ObjectFormatException(file, section, offset, problem, getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** The file, or null when the object came from bytes or a stream. */
    public String file() {
        return file;
    }

    /** The section, or null when the problem is in the file headers. */
    public String section() {
        return section;
    }

    /** The byte offset, relative to the section when one is named, or -1. */
    public long offset() {
        return offset;
    }

    /** What is wrong, without the location. */
    public String problem() {
        return problem;
    }

    private static String format(String file, String section, long offset, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(file != null ? file : "<object>");
        if (section != null) {
            sb.append(": section ").append(section);
        }
        if (offset >= 0) {
            sb.append(section != null ? " at offset 0x" : ": at offset 0x").append(Long.toHexString(offset));
        }
        return sb.append(": ").append(problem).toString();
    }
}
