package io.bpfkit.object;

import io.bpfkit.api.ObjectFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

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

    /**
     * Files from this size on are mapped rather than read. Mapping saves copying bytes the open
     * never looks at (DWARF), but costs a fixed few microseconds (mmap, page faults, munmap)
     * that reading a small file into the heap does not: on this project's benchmark objects the
     * two break even between 100 and 300 KB.
     */
    private static final long MAP_AT_LEAST = 256 * 1024;

    private BpfObjects() {
    }

    /**
     * Opens the object file at {@code path}. A large file is mapped, not read: the parts the
     * open phase uses (headers, symbols, BTF, BTF.ext, code, data) are touched, and the rest
     * (DWARF, often most of an object built with {@code -g}) never is. The mapping is unmapped
     * and the file closed before this returns; the spec holds copies of what it keeps.
     */
    public static BpfObjectSpec open(Path path) {
        String file = path.toString();
        String objectName = objectName(path.getFileName() == null ? "" : path.getFileName().toString());
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > MAX_OBJECT_SIZE) {
                throw new ObjectFormatException(file, null, -1, "file is " + size
                        + " bytes, larger than the " + MAX_OBJECT_SIZE + " bytes bpfkit reads", null);
            }
            if (size < MAP_AT_LEAST) {
                return open(read(channel, (int) size), file, objectName);
            }
            try (Arena arena = Arena.ofConfined()) {
                return open(channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena), file, objectName);
            }
        } catch (NoSuchFileException e) {
            throw new ObjectFormatException(file, null, -1, "no such file", e);
        } catch (IOException e) {
            throw new ObjectFormatException(file, null, -1, "cannot read: " + e.getMessage(), e);
        } catch (InternalError e) {
            // A mapped file truncated by another process while it is read: the JDK's report of
            // the fault (SIGBUS) on the missing pages.
            throw new ObjectFormatException(file, null, -1, "cannot read: the file changed while it was read ("
                    + e.getMessage() + ")", e);
        }
    }

    /** The whole of a small file, in one read where the file allows it. */
    private static byte[] read(FileChannel channel, int size) throws IOException {
        byte[] bytes = new byte[size];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                // Shorter than its size said a moment ago: another process truncated it.
                return Arrays.copyOf(bytes, buffer.position());
            }
        }
        return bytes;
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
        return open(MemorySegment.ofArray(bytes), file, objectName);
    }

    private static BpfObjectSpec open(MemorySegment data, String file, String objectName) {
        try {
            return ObjectOpener.open(data, objectName);
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
