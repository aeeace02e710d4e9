package io.bpfkit.load;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.VerifierException;
import io.bpfkit.object.AttachType;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.MapSpec;
import io.bpfkit.object.MapType;
import io.bpfkit.object.ProgramSpec;
import io.bpfkit.object.ProgramType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.testing.PinRoot;
import io.bpfkit.uapi.BpfFlags;
import io.bpfkit.uapi.MapInfo;
import io.bpfkit.uapi.ProgInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One object opened and loaded by bpfkit, described in the text selftests_libbpf.c prints for
 * libbpf (what opened, the programs and maps, whether it loaded and why not, what the kernel
 * holds, the translated instructions; bpfkit adds its load warnings as "warning" lines, which
 * are not compared), and the comparison of two such texts. Used by
 * {@link SelftestsParityTest} for the subset of the kernel's BPF selftests in the test suite and
 * by {@code scripts/selftests} for the whole corpus, through {@link #main}:
 *
 * <pre>
 * SelftestsParity bpfkit [-x] OUT_DIR OBJECT...   OUT_DIR/NAME.txt per object NAME.bpf.o
 * SelftestsParity report ARGS...                  see {@link SelftestsReport}
 * </pre>
 */
public final class SelftestsParity {
    private SelftestsParity() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length >= 1 && args[0].equals("report")) {
            System.exit(SelftestsReport.run(List.of(args).subList(1, args.length)));
        }
        List<String> rest = new ArrayList<>(List.of(args));
        if (rest.isEmpty() || !rest.removeFirst().equals("bpfkit")) {
            System.err.println("usage: SelftestsParity bpfkit [-x] OUT_DIR OBJECT... | report ARGS...");
            System.exit(2);
        }
        boolean xlated = !rest.isEmpty() && rest.getFirst().equals("-x");
        if (xlated) {
            rest.removeFirst();
        }
        if (rest.size() < 2) {
            System.err.println("usage: SelftestsParity bpfkit [-x] OUT_DIR OBJECT...");
            System.exit(2);
        }
        Path out = Files.createDirectories(Path.of(rest.removeFirst()));
        for (String o : rest) {
            Path object = Path.of(o);
            String text;
            try (PinRoot pins = PinRoot.create("selftests")) {
                text = describe(object, pins.path(), xlated);
            }
            // Written whole or not at all: the script reruns a JVM that died on what is missing.
            Path tmp = out.resolve(objectName(object) + ".txt.tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, out.resolve(objectName(object) + ".txt"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** {@code rbtree} for {@code .../rbtree.bpf.o}. */
    static String objectName(Path object) {
        String f = object.getFileName().toString();
        return f.endsWith(".bpf.o") ? f.substring(0, f.length() - 6) : f.replaceFirst("\\.o$", "");
    }

    /**
     * Opens and loads {@code object} with bpfkit's defaults (maps pinned by name go under
     * {@code pinRoot}) and describes the outcome as selftests_libbpf.c describes libbpf's.
     */
    static String describe(Path object, Path pinRoot, boolean xlated) {
        StringBuilder out = new StringBuilder();
        BpfObjectSpec spec;
        try {
            spec = BpfObjects.open(object);
        } catch (RuntimeException e) {
            out.append("open error ").append(errorName(e)).append('\n');
            out.append("detail ").append(firstLine(e)).append('\n');
            return out.toString();
        }
        out.append("open ok\n");
        for (ProgramSpec p : spec.programs()) {
            if (p.isSubprogram()) {
                continue;
            }
            AttachType attach = p.expectedAttachType();
            // libbpf adds these only as it loads (from the section): not in its program's flags
            int flags = p.flags() & ~(BpfFlags.BPF_F_SLEEPABLE | BpfFlags.BPF_F_XDP_HAS_FRAGS);
            out.append("prog ").append(p.name()).append(" sec=").append(p.section()).append(" type=")
                    .append(p.type().libbpfName()).append(" attach=").append(attach == null ? 0 : attach.value())
                    .append(" flags=0x").append(Integer.toHexString(flags)).append(" autoload=")
                    .append(p.autoload() ? 1 : 0).append('\n');
        }
        for (MapSpec m : spec.maps()) {
            if (m.definition() == MapSpec.Definition.INNER) {
                continue;
            }
            out.append("map ").append(m.name()).append(" type=").append(mapTypeName(m.type())).append(" key=")
                    .append(m.keySize()).append(" value=").append(m.valueSize()).append(" max=")
                    .append(m.maxEntries()).append(" flags=0x").append(Long.toHexString(m.flags())).append('\n');
        }
        LoadOptions options = LoadOptions.defaults().withPinRoot(pinRoot);
        LoadedObject loaded;
        try {
            loaded = BpfLoader.load(spec, options);
        } catch (RuntimeException e) {
            // libbpf drops a BTF the kernel refuses without a word; bpfkit refuses to, unless asked
            if (!firstLine(e).contains(BTF_REFUSED)) {
                loadError(e, out);
                return out.toString();
            }
            out.append("refused-btf ").append(firstLine(e)).append('\n');
            try {
                loaded = BpfLoader.load(spec, options.withContinueWithoutBtf(true));
            } catch (RuntimeException again) {
                loadError(again, out);
                return out.toString();
            }
        }
        try (LoadedObject obj = loaded) {
            out.append("load ok\n");
            obj.warnings().forEach(w -> out.append("warning ").append(w.replace('\n', ' ')).append('\n'));
            for (LoadedProgram p : obj.programs().values()) {
                ProgInfo info = p.info();
                out.append("kprog ").append(p.name()).append(" type=")
                        .append(ProgramType.ofValue(info.type()).map(ProgramType::libbpfName).orElse("?"))
                        .append(" btf=").append(info.btfId() != 0 ? 1 : 0).append(" func_info=")
                        .append(info.nrFuncInfo()).append(" line_info=").append(info.nrLineInfo())
                        .append(" insns=").append(info.xlatedProgLen() / 8).append('\n');
            }
            for (LoadedMap m : obj.maps().values()) {
                MapInfo info = Bpf.mapInfo(m.fd());
                out.append("kmap ").append(m.name()).append(" kname=").append(info.name()).append(" type=")
                        .append(mapTypeName(info.type())).append(" key=").append(Integer.toUnsignedString(info.keySize()))
                        .append(" value=").append(Integer.toUnsignedString(info.valueSize())).append(" max=")
                        .append(Integer.toUnsignedString(info.maxEntries())).append(" flags=0x")
                        .append(Integer.toHexString(info.mapFlags())).append(" btf=").append(info.btfId() != 0 ? 1 : 0)
                        .append('\n');
            }
            if (xlated) {
                for (LoadedProgram p : obj.programs().values()) {
                    out.append(XlatedText.of("xlated", p, obj));
                }
            }
        } catch (RuntimeException e) {
            loadError(e, out);
        }
        return out.toString();
    }

    /** What the loader of an object said when the kernel refused its BTF. */
    static final String BTF_REFUSED = "the kernel refused the object's BTF";

    private static void loadError(RuntimeException e, StringBuilder out) {
        out.append("load error ").append(errorName(e)).append('\n');
        out.append("detail ").append(firstLine(e)).append('\n');
        verifierReason(e).ifPresent(r -> out.append("verifier ").append(r).append('\n'));
    }

    private static String mapTypeName(long type) {
        MapType t = MapType.of(type);
        return t == null ? "?" : t.libbpfName();
    }

    /**
     * The errno name of the first kernel error in the chain (what libbpf reports), else the
     * exception's class: bpfkit refused before asking the kernel.
     */
    static String errorName(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KernelException k) {
                return k.errnoName();
            }
        }
        return e.getClass().getSimpleName();
    }

    private static String firstLine(Throwable e) {
        String s = Objects.requireNonNullElse(e.getMessage(), e.getClass().getName());
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static Optional<String> verifierReason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof VerifierException v && v.log() != null) {
                return lastLogLine(v.log());
            }
        }
        return Optional.empty();
    }

    /** The verifier log's last line of substance, as selftests_libbpf.c picks it. */
    static Optional<String> lastLogLine(String log) {
        String last = null;
        for (String line : log.split("\n")) {
            if (line.isEmpty() || line.startsWith("processed ") || line.startsWith("verification time")
                    || line.startsWith("stack depth")) {
                continue;
            }
            last = line;
        }
        return Optional.ofNullable(last);
    }

    // ------------------------------------------------------------------ the comparison

    /**
     * One way bpfkit's outcome differs from libbpf's: {@code what} is the kind (open, programs,
     * program, maps, map, load, kernel programs, kernel program, kernel maps, kernel map,
     * xlated; "error cause" when both failed, with different errors; "naming" for a section
     * name that libbpf gives without its leading '?').
     */
    record Difference(String what, String detail) {
        /**
         * Anything but two failures that name different causes, the '?' of a section name, or
         * a load that needed {@code withContinueWithoutBtf} (bpfkit's documented choice).
         */
        boolean serious() {
            return !what.equals("error cause") && !what.equals("naming") && !what.equals("refused BTF");
        }

        @Override
        public String toString() {
            return what + ": " + detail;
        }
    }

    /** Every difference between libbpf's outcome and bpfkit's, in the order of the load. */
    static List<Difference> compare(Outcome libbpf, Outcome bpfkit) {
        List<Difference> d = new ArrayList<>();
        if (libbpf.opened() != bpfkit.opened()) {
            d.add(new Difference("open", "libbpf " + describeOpen(libbpf) + "; bpfkit " + describeOpen(bpfkit)));
            return d;
        }
        if (!libbpf.opened()) {
            if (!libbpf.open().equals(bpfkit.open())) {
                d.add(new Difference("error cause", "open: libbpf " + libbpf.open() + " (" + libbpf.why() + "); bpfkit "
                        + bpfkit.open() + " (" + bpfkit.why() + ")"));
            }
            return d;
        }
        compareItems("programs", "program", libbpf.programs(), bpfkit.programs(), d);
        compareItems("maps", "map", libbpf.maps(), bpfkit.maps(), d);
        if (libbpf.loaded() != bpfkit.loaded()) {
            d.add(new Difference("load", "libbpf " + describeLoad(libbpf) + "; bpfkit " + describeLoad(bpfkit)));
            return d;
        }
        if (bpfkit.btfRefused() != null) {
            d.add(new Difference("refused BTF", "bpfkit loads it only with LoadOptions.withContinueWithoutBtf(true): "
                    + bpfkit.btfRefused()));
        }
        if (!libbpf.loaded()) {
            if (!Objects.equals(libbpf.load(), bpfkit.load())) {
                d.add(new Difference("error cause", "load: libbpf " + libbpf.load() + " (" + libbpf.why() + "); bpfkit "
                        + bpfkit.load() + " (" + bpfkit.why() + ")"));
            }
            return d;
        }
        compareItems("kernel programs", "kernel program", libbpf.kernelPrograms(), bpfkit.kernelPrograms(), d);
        compareItems("kernel maps", "kernel map", libbpf.kernelMaps(), bpfkit.kernelMaps(), d);
        for (Map.Entry<String, String> e : libbpf.xlated().entrySet()) {
            String theirs = bpfkit.xlated().get(e.getKey());
            if (theirs != null && !theirs.equals(e.getValue())) {
                d.add(new Difference("xlated", e.getKey() + ": " + firstDifferentLine(e.getValue(), theirs)));
            }
        }
        return d;
    }

    private static String describeOpen(Outcome o) {
        return o.opened() ? "opens" : "fails to open: " + o.open() + " (" + o.why() + ")";
    }

    private static String describeLoad(Outcome o) {
        return o.loaded() ? "loads" : "fails to load: " + o.load() + " (" + o.why() + ")";
    }

    /** Names on one side only, then each common name whose attributes differ (only those). */
    private static void compareItems(String setKind, String itemKind, Map<String, String> libbpf,
                                     Map<String, String> bpfkit, List<Difference> d) {
        TreeSet<String> onlyLibbpf = new TreeSet<>(libbpf.keySet());
        onlyLibbpf.removeAll(bpfkit.keySet());
        TreeSet<String> onlyBpfkit = new TreeSet<>(bpfkit.keySet());
        onlyBpfkit.removeAll(libbpf.keySet());
        if (!onlyLibbpf.isEmpty() || !onlyBpfkit.isEmpty()) {
            d.add(new Difference(setKind, "only libbpf " + onlyLibbpf + ", only bpfkit " + onlyBpfkit));
        }
        for (Map.Entry<String, String> e : libbpf.entrySet()) {
            String theirs = bpfkit.get(e.getKey());
            if (theirs == null || theirs.equals(e.getValue())) {
                continue;
            }
            // libbpf drops the '?' of "?tc" from the section name (autoload says it); bpfkit keeps it
            String unmarked = theirs.replaceFirst("^sec=\\?", "sec=");
            if (!unmarked.equals(theirs) && unmarked.equals(e.getValue())) {
                d.add(new Difference("naming", e.getKey() + " " + attributeDifference(e.getValue(), theirs)));
            } else {
                d.add(new Difference(itemKind, e.getKey() + " " + attributeDifference(e.getValue(), unmarked)));
            }
        }
    }

    /** {@code btf=1/0 func_info=3/0}: libbpf's value, then bpfkit's, for each attribute that differs. */
    private static String attributeDifference(String libbpf, String bpfkit) {
        Map<String, String> a = attributes(libbpf);
        Map<String, String> b = attributes(bpfkit);
        StringBuilder sb = new StringBuilder();
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String k : keys) {
            String x = a.getOrDefault(k, "-");
            String y = b.getOrDefault(k, "-");
            if (!x.equals(y)) {
                sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(x).append('/').append(y);
            }
        }
        return sb + " (libbpf/bpfkit)";
    }

    private static Map<String, String> attributes(String s) {
        Map<String, String> m = new TreeMap<>();
        for (String f : s.split(" ")) {
            int eq = f.indexOf('=');
            if (eq > 0) {
                m.put(f.substring(0, eq), f.substring(eq + 1));
            }
        }
        return m;
    }

    private static String firstDifferentLine(String libbpf, String bpfkit) {
        String[] a = libbpf.split("\n");
        String[] b = bpfkit.split("\n");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "(end)";
            String y = i < b.length ? b[i] : "(end)";
            if (!x.equals(y)) {
                return a.length + "/" + b.length + " insns; first at line " + i + ": libbpf '" + x + "', bpfkit '" + y
                        + "'";
            }
        }
        return "same";
    }

    /** One side's text, parsed. */
    record Outcome(String open, String load, String btfRefused, String detail, String verifier, List<String> warnings,
                   Map<String, String> programs, Map<String, String> maps, Map<String, String> kernelPrograms,
                   Map<String, String> kernelMaps, Map<String, String> xlated) {

        boolean opened() {
            return open.equals("ok");
        }

        boolean loaded() {
            return "ok".equals(load);
        }

        /** {@code loaded}, {@code load error EPERM}, {@code open error ENOENT}, {@code missing}. */
        String summary() {
            if (open.equals("missing")) {
                return "missing";
            }
            if (!opened()) {
                return "open error " + open;
            }
            return loaded() ? "loaded" : "load error " + load;
        }

        /** The detail and verifier lines, for a report. */
        String why() {
            String d = detail == null ? "" : detail;
            return verifier == null ? d : d + " | " + verifier;
        }

        static Outcome parse(String text) {
            String open = "missing";
            String load = null;
            String btfRefused = null;
            String detail = null;
            String verifier = null;
            List<String> warnings = new ArrayList<>();
            Map<String, String> programs = new TreeMap<>();
            Map<String, String> maps = new TreeMap<>();
            Map<String, String> kernelPrograms = new TreeMap<>();
            Map<String, String> kernelMaps = new TreeMap<>();
            Map<String, String> xlated = new TreeMap<>();
            String[] lines = text.split("\n");
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                int sp = line.indexOf(' ');
                String word = sp < 0 ? line : line.substring(0, sp);
                String rest = sp < 0 ? "" : line.substring(sp + 1);
                switch (word) {
                    case "open" -> open = rest.equals("ok") ? "ok" : rest.replaceFirst("^error ", "");
                    case "load" -> load = rest.equals("ok") ? "ok" : rest.replaceFirst("^error ", "");
                    case "refused-btf" -> btfRefused = rest;
                    case "detail" -> detail = rest;
                    case "verifier" -> verifier = rest;
                    case "warning" -> warnings.add(rest);
                    case "prog" -> put(programs, rest);
                    case "map" -> put(maps, rest);
                    case "kprog" -> put(kernelPrograms, rest);
                    case "kmap" -> put(kernelMaps, rest);
                    case "xlated" -> {
                        // "xlated NAME COUNT", then COUNT instruction lines
                        String[] f = rest.split(" ");
                        int count = f.length == 2 && f[1].matches("\\d+") ? Integer.parseInt(f[1]) : 0;
                        StringBuilder body = new StringBuilder();
                        for (int k = 0; k < count && i + 1 < lines.length; k++) {
                            body.append(lines[++i]).append('\n');
                        }
                        xlated.put(f[0], body.toString());
                    }
                    default -> {
                    }
                }
            }
            return new Outcome(open, load, btfRefused, detail, verifier, warnings, programs, maps, kernelPrograms, kernelMaps,
                    xlated);
        }

        private static void put(Map<String, String> into, String rest) {
            int sp = rest.indexOf(' ');
            into.put(sp < 0 ? rest : rest.substring(0, sp), sp < 0 ? "" : rest.substring(sp + 1));
        }
    }
}
