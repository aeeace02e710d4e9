package io.bpfkit.load;

import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfFiles;
import io.bpfkit.btf.BtfType;
import io.bpfkit.load.SelftestsParity.Difference;
import io.bpfkit.load.SelftestsParity.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The report of a {@code scripts/selftests} run: per object, libbpf's outcome, bpfkit's and the
 * first difference (every difference in objects.txt); per feature class the counts; the
 * differences grouped by cause; and the table written into a docs page.
 *
 * <pre>
 * SelftestsParity report --sources PROGS_DIR --build BUILD_DIR --results RESULTS_DIR
 *     [--objects NAME,...] [--title TEXT] [--docs FILE --section KEY] [--meta 'Key: value']...
 * </pre>
 * BUILD_DIR holds obj/NAME.bpf.o and log/NAME.status ({@code ok}, {@code ok-no-kfunc-prototypes}
 * or {@code failed}); RESULTS_DIR holds libbpf/NAME.txt and bpfkit/NAME.txt. Writes
 * RESULTS_DIR/objects.txt and RESULTS_DIR/report.md, prints the report, and with --docs puts
 * the report into FILE between {@code <!-- selftests KEY begin -->} and {@code <!-- selftests KEY end -->}
 * (appended when FILE has no such section yet).
 */
final class SelftestsReport {
    private SelftestsReport() {
    }

    /** Feature classes in the order an object is classified: it counts in the first that fits. */
    static final List<String> CLASSES = List.of("arena", "struct_ops", "exceptions", "rbtree/list/obj_new", "kptr",
            "local storage", "bpf_loop/callbacks", "kfunc", "other");

    private static final Map<String, Pattern> SOURCE_PATTERNS = new LinkedHashMap<>();

    static {
        SOURCE_PATTERNS.put("arena", Pattern.compile("BPF_MAP_TYPE_ARENA|__arena\\b"));
        SOURCE_PATTERNS.put("struct_ops", Pattern.compile("SEC\\(\"\\.?struct_ops"));
        SOURCE_PATTERNS.put("exceptions", Pattern.compile("\\bbpf_throw\\b|\\bbpf_assert|__exception_cb"));
        SOURCE_PATTERNS.put("rbtree/list/obj_new", Pattern.compile(
                "\\bbpf_(percpu_)?obj_new\\b|\\bbpf_rbtree_|\\bbpf_list_(push|pop)|\\bbpf_refcount_acquire"));
        SOURCE_PATTERNS.put("kptr", Pattern.compile("\\b__kptr(_untrusted)?\\b|\\bbpf_kptr_xchg\\b"));
        SOURCE_PATTERNS.put("local storage", Pattern.compile(
                "BPF_MAP_TYPE_(TASK|SK|INODE|CGRP)_STORAGE|\\bbpf_(task|sk|inode|cgrp)_storage_get\\b"));
        SOURCE_PATTERNS.put("bpf_loop/callbacks", Pattern.compile("\\bbpf_loop\\(|\\bbpf_for_each_map_elem\\b"
                + "|\\bbpf_timer_set_callback\\b|\\bbpf_user_ringbuf_drain\\b|\\bbpf_find_vma\\b"
                + "|\\bbpf_wq_set_callback"));
    }

    private static final Pattern KFUNC_DECLARATION = Pattern.compile("extern[^;{}]*\\([^;{}]*\\)[^;{}]*__ksym");

    /** Where an object stands: its class, how it compiled, both outcomes and their differences. */
    record Row(String name, String featureClass, String compiled, Outcome libbpf, Outcome bpfkit,
               List<Difference> differences) {
        boolean serious() {
            return differences.stream().anyMatch(Difference::serious);
        }

        /** libbpf opens (loads) it, bpfkit does not: what the issue's evidence forbids. */
        boolean bpfkitMisses() {
            return libbpf.opened() && !bpfkit.opened() || libbpf.loaded() && !bpfkit.loaded();
        }
    }

    static int run(List<String> args) throws IOException {
        Path sources = null;
        Path build = null;
        Path results = null;
        Path docs = null;
        String section = null;
        String title = "BPF selftests: libbpf and bpfkit";
        List<String> only = null;
        List<String> meta = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (i + 1 >= args.size()) {
                System.err.println("report: " + a + " needs a value");
                return 2;
            }
            String v = args.get(++i);
            switch (a) {
                case "--sources" -> sources = Path.of(v);
                case "--build" -> build = Path.of(v);
                case "--results" -> results = Path.of(v);
                case "--docs" -> docs = Path.of(v);
                case "--section" -> section = v;
                case "--title" -> title = v;
                case "--objects" -> only = List.of(v.split(","));
                case "--meta" -> meta.add(v);
                default -> {
                    System.err.println("report: unknown argument " + a);
                    return 2;
                }
            }
        }
        if (sources == null || build == null || results == null || (docs != null && section == null)) {
            System.err.println("report: --sources, --build and --results are needed (and --section with --docs)");
            return 2;
        }
        List<String> names;
        if (only != null) {
            names = only;
        } else {
            try (Stream<Path> s = Files.list(sources)) {
                names = s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".c"))
                        .map(f -> f.substring(0, f.length() - 2)).sorted().toList();
            }
        }
        List<Row> rows = new ArrayList<>();
        for (String name : names) {
            rows.add(row(name, sources, build, results));
        }
        String objectsText = objects(rows);
        Files.writeString(results.resolve("objects.txt"), objectsText);
        String report = markdown(title, meta, rows);
        Files.writeString(results.resolve("report.md"), report);
        rows.forEach(r -> System.out.println(oneLine(r)));
        System.out.println();
        System.out.print(report);
        System.out.println();
        System.out.println("Per object, every difference: " + results.resolve("objects.txt"));
        if (docs != null) {
            updateDocs(docs, section, report);
            System.out.println("Written into " + docs + " (section " + section + ")");
        }
        return 0;
    }

    static Row row(String name, Path sources, Path build, Path results) throws IOException {
        Path object = build.resolve("obj").resolve(name + ".bpf.o");
        Path status = build.resolve("log").resolve(name + ".status");
        String compiled = Files.exists(status) ? Files.readString(status).strip() : "not built";
        Outcome libbpf = Outcome.parse(read(results.resolve("libbpf").resolve(name + ".txt")));
        Outcome bpfkit = Outcome.parse(read(results.resolve("bpfkit").resolve(name + ".txt")));
        List<Difference> differences = compiled.startsWith("ok") ? SelftestsParity.compare(libbpf, bpfkit) : List.of();
        return new Row(name, classify(sources.resolve(name + ".c"), object), compiled, libbpf, bpfkit, differences);
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p) : "";
    }

    /**
     * The first class whose pattern the source matches; kfunc when the object's BTF declares an
     * extern function (a kfunc it calls; the source's declaration when there is no object).
     */
    static String classify(Path source, Path object) throws IOException {
        String text = Files.exists(source) ? Files.readString(source) : "";
        for (Map.Entry<String, Pattern> e : SOURCE_PATTERNS.entrySet()) {
            if (e.getValue().matcher(text).find()) {
                return e.getKey();
            }
        }
        if (Files.exists(object) ? callsKfunc(object) : KFUNC_DECLARATION.matcher(text).find()) {
            return "kfunc";
        }
        return "other";
    }

    private static boolean callsKfunc(Path object) {
        try {
            Btf btf = BtfFiles.read(object);
            for (int id = btf.firstId(); btf.hasType(id); id++) {
                if (btf.type(id) instanceof BtfType.Func f && f.linkage() == BtfType.Func.Linkage.EXTERN) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String objects(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        for (Row r : rows) {
            sb.append(r.name()).append(" [").append(r.featureClass()).append("] compile ").append(r.compiled());
            if (r.compiled().startsWith("ok")) {
                sb.append(": libbpf ").append(r.libbpf().summary()).append(", bpfkit ").append(r.bpfkit().summary());
                List<Difference> serious = r.differences().stream().filter(Difference::serious).toList();
                sb.append(serious.isEmpty() ? (r.differences().isEmpty() ? ", same" : ", same outcome")
                        : ", DIFFERENT");
                sb.append('\n');
                for (Difference d : r.differences()) {
                    sb.append("    ").append(d).append('\n');
                }
                if (!serious.isEmpty()) {
                    r.bpfkit().warnings().forEach(w -> sb.append("    bpfkit warned: ").append(w).append('\n'));
                }
                if (!r.libbpf().loaded() && r.libbpf().opened() && r.differences().isEmpty()) {
                    sb.append("    both: ").append(r.libbpf().why()).append('\n');
                }
            } else {
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** {@code NAME [class]: libbpf ..., bpfkit ...; the first difference}. */
    private static String oneLine(Row r) {
        if (!r.compiled().startsWith("ok")) {
            return r.name() + " [" + r.featureClass() + "]: not compiled";
        }
        String first = r.differences().stream().filter(Difference::serious).findFirst().map(Difference::toString)
                .orElse("same");
        return r.name() + " [" + r.featureClass() + "]: libbpf " + r.libbpf().summary() + ", bpfkit "
                + r.bpfkit().summary() + "; " + first;
    }

    static String markdown(String title, List<String> meta, List<Row> rows) {
        StringBuilder sb = new StringBuilder("### ").append(title).append("\n\n");
        for (String m : meta) {
            sb.append("- ").append(m).append('\n');
        }
        sb.append('\n');
        sb.append("| class | objects | compiled | libbpf open | libbpf load | bpfkit open | bpfkit load "
                + "| libbpf loads, bpfkit not | differences |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, List<Row>> byClass = new LinkedHashMap<>();
        CLASSES.forEach(c -> byClass.put(c, new ArrayList<>()));
        rows.forEach(r -> byClass.get(r.featureClass()).add(r));
        byClass.forEach((c, list) -> sb.append(tableRow(c, list)));
        sb.append(tableRow("**all**", rows));
        sb.append('\n');
        long fallback = rows.stream().filter(r -> r.compiled().equals("ok-no-kfunc-prototypes")).count();
        if (fallback > 0) {
            sb.append("Compiled only with `-DBPF_NO_KFUNC_PROTOTYPES` (a kfunc prototype in the header conflicts with "
                    + "the selftests' own declaration): ").append(fallback).append(" objects.\n\n");
        }
        List<String> optIn = rows.stream().filter(r -> r.bpfkit().loaded() && r.bpfkit().btfRefused() != null)
                .map(Row::name).toList();
        if (!optIn.isEmpty()) {
            sb.append("bpfkit load counts ").append(optIn.size()).append(" objects whose BTF this kernel refuses, "
                    + "loaded with `LoadOptions.withContinueWithoutBtf(true)`: libbpf drops such BTF without a word, "
                    + "bpfkit fails the load with the kernel's reason unless asked (").append(String.join(", ", optIn))
                    .append(").\n\n");
        }
        List<Row> failed = rows.stream().filter(r -> r.compiled().equals("failed")).toList();
        if (!failed.isEmpty()) {
            sb.append("Not compiled: ").append(String.join(", ", failed.stream().map(Row::name).toList()))
                    .append(".\n\n");
        }
        sb.append(groups(rows));
        return sb.toString();
    }

    private static String tableRow(String name, List<Row> rows) {
        List<Row> built = rows.stream().filter(r -> r.compiled().startsWith("ok")).toList();
        return "| " + name + " | " + rows.size() + " | " + built.size()
                + " | " + built.stream().filter(r -> r.libbpf().opened()).count()
                + " | " + built.stream().filter(r -> r.libbpf().loaded()).count()
                + " | " + built.stream().filter(r -> r.bpfkit().opened()).count()
                + " | " + built.stream().filter(r -> r.bpfkit().loaded()).count()
                + " | " + built.stream().filter(Row::bpfkitMisses).count()
                + " | " + built.stream().filter(Row::serious).count() + " |\n";
    }

    /**
     * The objects that differ, grouped by the first difference with names and numbers taken out
     * (so that one cause is one group), each group with one example verbatim.
     */
    private static String groups(List<Row> rows) {
        Map<String, List<Row>> groups = new TreeMap<>();
        Map<String, String> example = new TreeMap<>();
        for (Row r : rows) {
            r.differences().stream().filter(Difference::serious).findFirst().ifPresent(d -> {
                String key = d.what() + ": " + cause(r, d);
                groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
                // the object's file name, not where this machine built it
                example.putIfAbsent(key, r.name() + ": " + d.detail().replaceAll("/\\S*/(\\S+\\.bpf\\.o)", "$1"));
            });
        }
        if (groups.isEmpty()) {
            return "No differences.\n";
        }
        StringBuilder sb = new StringBuilder("Differences by cause (the first difference of each object):\n\n");
        groups.entrySet().stream().sorted((a, b) -> b.getValue().size() - a.getValue().size()).forEach(e -> {
            sb.append("- **").append(e.getValue().size()).append("** ").append(e.getKey()).append(": ")
                    .append(String.join(", ", e.getValue().stream().map(Row::name).toList())).append('\n');
            sb.append("  - e.g. `").append(example.get(e.getKey()).replace('`', '\'')).append("`\n");
        });
        return sb.toString();
    }

    /** The side that failed names the cause; otherwise the kind of difference. */
    private static String cause(Row r, Difference d) {
        String text = switch (d.what()) {
            case "open" -> r.bpfkit().opened() ? "libbpf " + r.libbpf().open() + " " + r.libbpf().why()
                    : "bpfkit " + r.bpfkit().open() + " " + r.bpfkit().why();
            case "load" -> r.bpfkit().loaded() ? "libbpf " + r.libbpf().load() + " " + r.libbpf().why()
                    : "bpfkit " + r.bpfkit().load() + " " + r.bpfkit().why();
            case "programs", "maps", "kernel programs", "kernel maps" -> {
                boolean libbpfMore = !d.detail().startsWith("only libbpf []");
                boolean bpfkitMore = !d.detail().endsWith("only bpfkit []");
                yield libbpfMore && bpfkitMore ? "named differently" : libbpfMore ? "only libbpf has some"
                        : "only bpfkit has some";
            }
            default -> d.detail().replaceFirst("^\\S+ ", "");
        };
        return text.replaceAll("at instruction \\d+ \\(.*?\\): ", "at instruction N: ")
                .replaceAll("/\\S*\\.bpf\\.o", "OBJECT").replaceAll("section \\S+ at offset 0x\\p{XDigit}+", "section *")
                .replaceAll("\\.bss\\.\\w+", ".bss.*").replaceAll("'[^']*'", "'*'").replaceAll("\\b\\d+\\b", "N")
                .replaceAll("\\[[^\\]]*\\]", "[..]");
    }

    private static void updateDocs(Path docs, String section, String report) throws IOException {
        String begin = "<!-- selftests " + section + " begin -->";
        String end = "<!-- selftests " + section + " end -->";
        String text = Files.exists(docs) ? Files.readString(docs) : "";
        String block = begin + "\n" + report + end;
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b >= 0 && e > b) {
            text = text.substring(0, b) + block + text.substring(e + end.length());
        } else {
            text = text + (text.isEmpty() || text.endsWith("\n\n") ? "" : "\n") + block + "\n";
        }
        Files.writeString(docs, text);
    }
}
