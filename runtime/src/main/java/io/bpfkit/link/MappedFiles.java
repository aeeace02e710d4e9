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
        Path maps = Path.of("/proc", pid > 0 ? Integer.toString(pid) : "self", "maps");
        List<String> lines;
        try {
            lines = Files.readAllLines(maps);
        } catch (NoSuchFileException e) {
            throw new BpfException("no process " + pid + " (" + maps + " does not exist)");
        } catch (IOException e) {
            throw new BpfException("cannot read " + maps + ": " + e.getMessage(), e);
        }
        Set<Path> files = new LinkedHashSet<>();
        for (String line : lines) {
            int slash = line.indexOf('/');
            if (slash >= 0 && !line.endsWith(" (deleted)")) {
                files.add(Path.of(line.substring(slash)));
            }
        }
        return new ArrayList<>(files);
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
