package io.bpfkit.object;

import io.bpfkit.api.ObjectFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The open phase: reads an eBPF object file into a {@link BpfObjectSpec}. Pure Java, no
 * system call beyond reading the file, no privilege; works on any OS.
 *
 * <pre>{@code
 * BpfObjectSpec spec = BpfObjects.open(Path.of("prog.bpf.o"));
 * }</pre>
 *
 * <p>Bad input (truncated, corrupted, hostile, not an eBPF object) gives an
 * {@link ObjectFormatException} naming the file, the section and the offset.
 */
public final class BpfObjects {
    /** Objects larger than this are refused rather than read into memory. */
    public static final long MAX_OBJECT_SIZE = 1L << 30;

    private BpfObjects() {
    }

    /** Opens the object file at {@code path}. */
    public static BpfObjectSpec open(Path path) {
        byte[] bytes;
        try {
            long size = Files.size(path);
            if (size > MAX_OBJECT_SIZE) {
                throw new ObjectFormatException(path.toString(), null, -1, "file is " + size
                        + " bytes, larger than the " + MAX_OBJECT_SIZE + " bytes bpfkit reads", null);
            }
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ObjectFormatException(path.toString(), null, -1, "no such file", e);
        } catch (IOException e) {
            throw new ObjectFormatException(path.toString(), null, -1, "cannot read: " + e.getMessage(), e);
        }
        return open(bytes, path.toString(), objectName(path.getFileName() == null ? "" : path.getFileName().toString()));
    }

    /** Opens an object held in memory; {@code fileName} names it in errors and gives the object name. */
    public static BpfObjectSpec open(byte[] bytes, String fileName) {
        return open(bytes, fileName, objectName(fileName));
    }

    /**
     * Opens an object read from a stream (a class-path resource, for example).
     *
     * @throws ObjectFormatException when the stream cannot be read, or holds no valid object
     */
    public static BpfObjectSpec open(InputStream in, String fileName) {
        try {
            return open(in.readNBytes((int) Math.min(MAX_OBJECT_SIZE, Integer.MAX_VALUE - 8)), fileName);
        } catch (IOException e) {
            throw new ObjectFormatException(fileName, null, -1, "cannot read: " + e.getMessage(), e);
        }
    }

    private static BpfObjectSpec open(byte[] bytes, String file, String objectName) {
        try {
            return ObjectOpener.open(MemorySegment.ofArray(bytes), objectName);
        } catch (ObjectFormatException e) {
            throw e.inFile(file);
        } catch (RuntimeException | StackOverflowError e) {
            // A bug in the opener must still name the file; it is never the caller's fault.
            throw new ObjectFormatException(file, null, -1, "cannot be opened: " + e, e);
        }
    }

    /** libbpf's object name: the file's base name up to its first dot. */
    static String objectName(String fileName) {
        String base = fileName;
        int slash = base.lastIndexOf('/');
        if (slash >= 0) {
            base = base.substring(slash + 1);
        }
        int dot = base.indexOf('.');
        return dot >= 0 ? base.substring(0, dot) : base;
    }
}
