package io.bpfkit.cli;

import io.bpfkit.api.BpfException;
import io.bpfkit.link.MappedFiles;
import io.bpfkit.link.UprobeTargets;
import io.bpfkit.usdt.UsdtNotes;
import io.bpfkit.usdt.UsdtProbe;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bpfkit usdt list [--json] FILE|--pid PID}: the USDT probes of a binary or library (a
 * path, or a library name looked up as uprobes do), or of every ELF file a process maps. No
 * privilege needed beyond reading the files.
 */
final class UsdtCommand {
    static final String USAGE = "usage: bpfkit usdt list [--json] FILE|--pid PID";

    private UsdtCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || !args.getFirst().equals("list")) {
            err.println(USAGE);
            return Main.USAGE;
        }
        boolean json = false;
        Integer pid = null;
        String file = null;
        List<String> rest = args.subList(1, args.size());
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--pid") && i + 1 < rest.size()) {
                try {
                    pid = Integer.parseInt(rest.get(++i));
                } catch (NumberFormatException e) {
                    err.println("bpfkit usdt: --pid takes a process id, not '" + rest.get(i) + "'");
                    return Main.USAGE;
                }
            } else if (a.startsWith("-") || file != null) {
                err.println("bpfkit usdt: unexpected '" + a + "'; " + USAGE);
                return Main.USAGE;
            } else {
                file = a;
            }
        }
        if ((file == null) == (pid == null)) {
            err.println(USAGE);
            return Main.USAGE;
        }
        List<UsdtNotes> found = new ArrayList<>();
        try {
            if (pid != null) {
                for (Path p : MappedFiles.of(pid)) {
                    if (isElf(p)) {
                        UsdtNotes n = UsdtNotes.read(p);
                        if (!n.probes().isEmpty()) {
                            found.add(n);
                        }
                    }
                }
            } else {
                found.add(UsdtNotes.read(UprobeTargets.resolveBinary(file, -1)));
            }
        } catch (BpfException e) {
            err.println("bpfkit: " + e.getMessage());
            return Main.FAILED;
        }
        out.print(json ? json(found) : text(found, pid));
        out.flush();
        return Main.OK;
    }

    private static boolean isElf(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return Arrays.equals(magic, new byte[] {0x7f, 'E', 'L', 'F'});
        } catch (IOException e) {
            return false;
        }
    }

    static String text(List<UsdtNotes> found, Integer pid) {
        StringBuilder sb = new StringBuilder();
        if (found.isEmpty() && pid != null) {
            sb.append("process ").append(pid).append(" maps no file with USDT probes\n");
        }
        for (UsdtNotes n : found) {
            sb.append(n.source()).append(": ").append(n.probes().size()).append(n.probes().size() == 1 ? " probe" : " probes");
            if (!n.hasNoteSection()) {
                sb.append(" (no .note.stapsdt section)");
            }
            sb.append('\n');
            int width = n.probes().stream().mapToInt(p -> p.label().length()).max().orElse(0);
            for (UsdtProbe p : n.probes()) {
                sb.append(String.format("  %-" + width + "s  0x%08x", p.label(), p.fileOffset()));
                if (p.hasSemaphore()) {
                    sb.append(String.format("  semaphore 0x%x", p.semaphoreFileOffset()));
                }
                sb.append("  ").append(p.arguments().isEmpty() ? "(no arguments)" : p.arguments()).append('\n');
            }
        }
        return sb.toString();
    }

    static String json(List<UsdtNotes> found) {
        Json j = new Json().beginObject().field("schema", "bpfkit.usdt/1").name("binaries").beginArray();
        for (UsdtNotes n : found) {
            j.beginObject().field("path", n.source()).field("machine", n.machine()).name("probes").beginArray();
            for (UsdtProbe p : n.probes()) {
                j.beginObject().field("provider", p.provider()).field("name", p.name())
                        .field("address", p.address()).field("fileOffset", p.fileOffset())
                        .field("semaphore", p.semaphore()).field("semaphoreFileOffset", p.semaphoreFileOffset())
                        .field("arguments", p.arguments()).endObject();
            }
            j.endArray().endObject();
        }
        return j.endArray().endObject() + "\n";
    }
}
