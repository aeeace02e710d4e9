package io.bpfkit.profile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A perf map: the names of code a runtime generated, one line per range, {@code START SIZE name}
 * with START and SIZE in hex ({@code 0x} optional), as HotSpot writes {@code /tmp/perf-PID.map}
 * ({@code jcmd PID Compiler.perfmap}, or {@code -XX:+DumpPerfMapAtExit} when the JVM exits) and
 * as perf and other JITs read and write it. Looked up by address in O(log n); when ranges overlap
 * (HotSpot lists code it later freed and reused) the entry that comes later in the file wins.
 *
 * <pre>{@code
 * PerfMap map = PerfMap.read(Path.of("/tmp/perf-" + pid + ".map"));
 * map.lookup(ip).ifPresent(e -> System.out.println(e.name()));     // "long Hot.spin(long)"
 * map = map.reload();                                             // the file again, if it changed
 * }</pre>
 */
public final class PerfMap {
    /**
     * One range of generated code.
     *
     * @param start first address
     * @param size length in bytes
     * @param name what the runtime calls it: a method ({@code long Hot.spin(long)}), or a stub
     *        such as {@code Interpreter}
     */
    public record Entry(long start, long size, String name) {
        /** True when {@code address} is in {@code [start, start + size)}. */
        public boolean contains(long address) {
            return Long.compareUnsigned(address - start, size) < 0;
        }
    }

    private final Path path;
    private final Object version;
    private final long[] starts;
    private final Entry[] entries;
    /** Per sorted entry, its line in the file: which of two overlapping ranges is newer. */
    private final int[] lineOrder;

    private PerfMap(Path path, Object version, List<Entry> inFileOrder) {
        this.path = path;
        this.version = version;
        // by start, then by line: of two ranges that hold an address, lookup takes the later line
        Entry[] lines = inFileOrder.toArray(Entry[]::new);
        Integer[] order = new Integer[lines.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparing((Integer i) -> lines[i].start(), Long::compareUnsigned)
                .thenComparingInt(i -> i));
        this.entries = new Entry[order.length];
        this.starts = new long[order.length];
        this.lineOrder = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            entries[i] = lines[order[i]];
            starts[i] = entries[i].start();
            lineOrder[i] = order[i];
        }
    }

    /**
     * Reads a perf map file.
     *
     * @throws NoSuchFileException when there is none (a JVM that was never asked to write one)
     * @throws IOException when it cannot be read
     * @throws IllegalArgumentException naming the file and line when a line is not
     *         {@code START SIZE name}
     */
    public static PerfMap read(Path file) throws IOException {
        Object version = version(file);
        try (BufferedReader r = Files.newBufferedReader(file, java.nio.charset.StandardCharsets.UTF_8)) {
            return new PerfMap(file, version, parseLines(r, file.toString()));
        }
    }

    /** Parses perf map text from a reader (not closed); {@code source} names it in exceptions. */
    public static PerfMap parse(Reader text, String source) {
        try {
            BufferedReader r = text instanceof BufferedReader b ? b : new BufferedReader(text);
            return new PerfMap(null, null, parseLines(r, source));
        } catch (IOException e) {
            throw new UncheckedIOException("reading perf map " + source + ": " + e.getMessage(), e);
        }
    }

    private static List<Entry> parseLines(BufferedReader r, String source) throws IOException {
        List<Entry> list = new ArrayList<>();
        int lineNumber = 0;
        for (String line; (line = r.readLine()) != null; ) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            int a = line.indexOf(' ');
            int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
            if (b < 0) {
                throw new IllegalArgumentException("perf map " + source + " line " + lineNumber
                        + " is not 'START SIZE name': '" + line + "'");
            }
            try {
                list.add(new Entry(hex(line.substring(0, a)), hex(line.substring(a + 1, b)), line.substring(b + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("perf map " + source + " line " + lineNumber
                        + ": START and SIZE must be hexadecimal: '" + line + "'");
            }
        }
        return list;
    }

    private static long hex(String s) {
        return Long.parseUnsignedLong(s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s, 16);
    }

    private static Object version(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return List.of(String.valueOf(a.fileKey()), a.lastModifiedTime(), a.size());
    }

    /**
     * This map again from its file when the file changed since it was read (another inode, time
     * or size), else this map.
     *
     * @throws IllegalStateException when the map was parsed from text, not read from a file
     */
    public PerfMap reload() throws IOException {
        if (path == null) {
            throw new IllegalStateException("this perf map was parsed from text: there is no file to reload");
        }
        return version(path).equals(version) ? this : read(path);
    }

    /** The file this map was read from, if any. */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    /** The number of entries. */
    public int size() {
        return entries.length;
    }

    /** The entries by start address. */
    public List<Entry> entries() {
        return List.of(entries);
    }

    /** The range that holds {@code address}: the one listed last in the file when several do. */
    public Optional<Entry> lookup(long address) {
        int floor = SortedAddresses.floor(starts, address);
        Entry best = null;
        int bestLine = -1;
        // ranges starting at or below the address that still cover it; HotSpot's are short, and a
        // code cache address is rarely covered by more than a few stale ones
        for (int i = floor, seen = 0; i >= 0 && seen < 64; i--, seen++) {
            if (entries[i].contains(address) && lineOrder[i] > bestLine) {
                best = entries[i];
                bestLine = lineOrder[i];
            }
        }
        return Optional.ofNullable(best);
    }
}
