package io.bpfkit.link;

import io.bpfkit.api.BpfException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The files a process has mapped, from {@code /proc/PID/maps}: what a process's USDT probes
 * and uprobe targets are found in.
 *
 * <pre>{@code
 * for (Path lib : MappedFiles.of(pid)) { ... UsdtNotes.read(lib) ... }
 * boolean jvm = MappedFiles.of(pid).stream().anyMatch(p -> p.endsWith("libjvm.so"));
 * }</pre>
 */
public final class MappedFiles {
    private MappedFiles() {
    }

    /**
     * Every regular file process {@code pid} maps (0: this process), once each, in address
     * order; deleted files and anonymous mappings are left out.
     *
     * @throws BpfException when there is no such process or its maps cannot be read
     */
    public static List<Path> of(int pid) {
        return paths(pid).stream().filter(Files::isRegularFile).toList();
    }

    /**
     * The paths of every file {@code /proc/PID/maps} names, once each, in address order, deleted
     * ones left out, whether or not they resolve in this process's file system view.
     */
    static List<Path> paths(int pid) {
        Set<Path> files = new LinkedHashSet<>();
        for (Region r : regions(pid)) {
            if (r.isFile() && !r.deleted()) {
                files.add(Path.of(r.name()));
            }
        }
        return new ArrayList<>(files);
    }

    /**
     * One line of {@code /proc/PID/maps}: an address range, its permissions, where in which
     * file it starts.
     *
     * @param start first address
     * @param end address after the last
     * @param permissions {@code rwxp} as the kernel prints them, e.g. {@code r-xp}
     * @param offset file offset of {@code start}
     * @param device {@code major:minor} of the file's device (hex, as printed)
     * @param inode the file's inode; 0 for anonymous memory
     * @param name the file's path as the process sees it, a pseudo name such as {@code [stack]}
     *        or {@code [anon:...]}, or empty for anonymous memory; without {@code " (deleted)"}
     * @param deleted true when the kernel marked the file {@code (deleted)}
     */
    public record Region(long start, long end, String permissions, long offset, String device, long inode,
                         String name, boolean deleted) {
        /** True when the range is mapped executable. */
        public boolean isExecutable() {
            return permissions.length() > 2 && permissions.charAt(2) == 'x';
        }

        /** True when a file (a path starting with {@code /}) backs the range. */
        public boolean isFile() {
            return name.startsWith("/");
        }

        /** True for anonymous memory (no file, no pseudo name, or an {@code [anon:...]} name). */
        public boolean isAnonymous() {
            return name.isEmpty() || name.startsWith("[anon");
        }

        /** True when {@code address} lies in {@code [start, end)} (unsigned). */
        public boolean contains(long address) {
            return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
        }
    }

    /**
     * Every line of {@code /proc/PID/maps} (0: this process), in address order.
     *
     * @throws BpfException when there is no such process, its maps cannot be read, or a line is
     *         not in the kernel's format
     */
    public static List<Region> regions(int pid) {
        Path maps = Path.of("/proc", pid > 0 ? Integer.toString(pid) : "self", "maps");
        List<String> lines;
        try {
            lines = Files.readAllLines(maps);
        } catch (NoSuchFileException e) {
            throw new BpfException("no process " + pid + " (" + maps + " does not exist)");
        } catch (IOException e) {
            throw new BpfException("cannot read " + maps + ": " + e.getMessage(), e);
        }
        List<Region> regions = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            regions.add(parse(lines.get(i), maps, i + 1));
        }
        return regions;
    }

    /** One maps line: {@code start-end perms offset dev inode [name]}, fields separated by spaces. */
    static Region parse(String line, Path maps, int lineNumber) {
        try {
            int dash = line.indexOf('-');
            int[] at = new int[5];
            int pos = 0;
            for (int f = 0; f < 5; f++) {
                pos = line.indexOf(' ', pos);
                if (pos < 0 && f == 4) {
                    pos = line.length(); // anonymous memory: no name after the inode
                } else if (pos < 0) {
                    throw new IllegalArgumentException("too few fields");
                }
                at[f] = pos;
                while (pos < line.length() && line.charAt(pos) == ' ') {
                    pos++;
                }
            }
            long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
            long end = Long.parseUnsignedLong(line.substring(dash + 1, at[0]), 16);
            String perms = line.substring(at[0] + 1, at[1]);
            long offset = Long.parseUnsignedLong(line.substring(at[1] + 1, at[2]), 16);
            String dev = line.substring(at[2] + 1, at[3]);
            long inode = Long.parseLong(line.substring(at[3] + 1, at[4]).trim());
            String name = at[4] < line.length() ? line.substring(at[4]).strip() : "";
            boolean deleted = name.endsWith(" (deleted)");
            if (deleted) {
                name = name.substring(0, name.length() - " (deleted)".length());
            }
            return new Region(start, end, perms, offset, dev, inode, name, deleted);
        } catch (RuntimeException e) {
            throw new BpfException(maps + " line " + lineNumber + " is not 'start-end perms offset dev inode [path]': '"
                    + line + "'", e);
        }
    }

    /** Every process, by pid, as {@code /proc} lists them. */
    public static List<Integer> processes() {
        List<Integer> pids = new ArrayList<>();
        try (var s = Files.list(Path.of("/proc"))) {
            s.forEach(p -> {
                String n = p.getFileName().toString();
                if (!n.isEmpty() && n.chars().allMatch(Character::isDigit)) {
                    pids.add(Integer.parseInt(n));
                }
            });
        } catch (IOException e) {
            throw new BpfException("cannot list /proc: " + e.getMessage(), e);
        }
        pids.sort(null);
        return pids;
    }
}
