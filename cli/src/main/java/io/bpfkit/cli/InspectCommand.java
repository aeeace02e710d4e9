package io.bpfkit.cli;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.GlobalVariable;
import io.bpfkit.object.MapSpec;
import io.bpfkit.object.MapType;
import io.bpfkit.object.ProgramSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code bpfkit inspect [--json] FILE|DIR...}: what the opened spec of each object holds.
 * The JSON schema ({@code bpfkit.inspect/1}) is documented in the README and kept stable:
 * fields are only ever added.
 */
final class InspectCommand {
    static final String SCHEMA = "bpfkit.inspect/1";

    private InspectCommand() {
    }

    record Opened(String file, BpfObjectSpec spec) {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        boolean json = false;
        List<Path> files = new ArrayList<>();
        int failures = 0;
        for (String a : args) {
            if (a.equals("--json")) {
                json = true;
            } else if (a.startsWith("-")) {
                err.println("bpfkit inspect: unknown option " + a + "; usage: bpfkit inspect [--json] FILE|DIR...");
                return Main.USAGE;
            } else {
                Path p = Path.of(a);
                if (Files.isDirectory(p)) {
                    try (Stream<Path> s = Files.list(p)) {
                        List<Path> objects = s.filter(f -> f.getFileName().toString().endsWith(".o")).sorted().toList();
                        if (objects.isEmpty()) {
                            err.println("bpfkit: " + a + ": no *.o files in this directory");
                            failures++;
                        }
                        files.addAll(objects);
                    } catch (IOException e) {
                        err.println("bpfkit: " + a + ": cannot list: " + e.getMessage());
                        failures++;
                    }
                } else {
                    files.add(p);
                }
            }
        }
        if (files.isEmpty() && failures == 0) {
            err.println("usage: bpfkit inspect [--json] FILE|DIR...");
            return Main.USAGE;
        }
        List<Opened> opened = new ArrayList<>();
        for (Path f : files) {
            try {
                opened.add(new Opened(f.toString(), BpfObjects.open(f)));
            } catch (ObjectFormatException e) {
                err.println("bpfkit: " + e.getMessage());
                failures++;
            }
        }
        out.print(json ? json(opened) : table(opened));
        out.flush();
        return failures == 0 ? Main.OK : Main.FAILED;
    }

    // ---------------------------------------------------------------- JSON

    static String json(List<Opened> objects) {
        Json j = new Json().beginObject().field("schema", SCHEMA).name("objects").beginArray();
        for (Opened o : objects) {
            BpfObjectSpec s = o.spec();
            j.beginObject()
                    .field("file", o.file())
                    .field("name", s.name())
                    .field("license", s.license())
                    .field("kernelVersion", s.kernelVersion())
                    .field("byteOrder", s.byteOrder() == ByteOrder.LITTLE_ENDIAN ? "little" : "big")
                    .field("btfTypes", s.btf().map(b -> (long) b.typeCount() - 1).orElse(0L));
            j.name("programs").beginArray();
            for (ProgramSpec p : s.programs()) {
                j.beginObject()
                        .field("name", p.name())
                        .field("section", p.section())
                        .field("type", p.type().libbpfName())
                        .field("attachType", p.expectedAttachType() == null ? null : p.expectedAttachType().libbpfName())
                        .field("attachTo", p.attachTo())
                        .field("instructions", p.instructionCount())
                        .field("subprogram", p.isSubprogram())
                        .field("autoload", p.autoload())
                        .field("sleepable", p.sectionDef().sleepable())
                        .field("knownSection", p.sectionDef().known())
                        .field("relocations", p.relocations().size())
                        .endObject();
            }
            j.endArray().name("maps").beginArray();
            for (MapSpec m : s.maps()) {
                mapJson(j, m);
            }
            j.endArray().name("globals").beginArray();
            for (GlobalVariable g : s.globals()) {
                j.beginObject()
                        .field("section", g.section())
                        .field("name", g.name())
                        .field("offset", g.offset())
                        .field("size", g.size())
                        .field("type", g.type())
                        .field("linkage", g.linkage())
                        .endObject();
            }
            j.endArray().endObject();
        }
        return j.endArray().endObject() + "\n";
    }

    private static void mapJson(Json j, MapSpec m) {
        j.beginObject()
                .field("name", m.name())
                .field("type", typeName(m))
                .field("keySize", m.keySize())
                .field("valueSize", m.valueSize())
                .field("maxEntries", m.maxEntries())
                .field("flags", m.flags())
                .field("keyType", m.keyType())
                .field("valueType", m.valueType())
                .field("definition", m.definition().name().toLowerCase(Locale.ROOT))
                .field("section", m.section())
                .field("pinning", m.pinning() == MapSpec.Pinning.BY_NAME ? "by_name" : "none")
                .field("numaNode", m.numaNode())
                .field("mapExtra", m.mapExtra());
        if (m.innerMap() != null) {
            j.name("innerMap");
            mapJson(j, m.innerMap());
        }
        if (!m.initialSlots().isEmpty()) {
            j.name("initialValues").beginArray();
            m.initialSlots().forEach(slot -> j.beginObject().field("index", slot.index())
                    .field("target", slot.target()).endObject());
            j.endArray();
        }
        if (!m.pmuCounters().isEmpty()) {
            j.name("pmuCounters").beginArray();
            m.pmuCounters().forEach(c -> j.beginObject().field("index", c.index()).field("event", c.event())
                    .field("fallback", c.fallback()).endObject());
            j.endArray();
        }
        j.endObject();
    }

    private static String typeName(MapSpec m) {
        MapType t = m.mapType();
        return t == null ? "type " + m.type() : t.libbpfName();
    }

    // ---------------------------------------------------------------- table

    static String table(List<Opened> objects) {
        StringBuilder sb = new StringBuilder();
        for (Opened o : objects) {
            BpfObjectSpec s = o.spec();
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(o.file()).append(": object '").append(s.name()).append("', license '").append(s.license())
                    .append("', ").append(s.byteOrder() == ByteOrder.LITTLE_ENDIAN ? "little" : "big")
                    .append("-endian, ").append(s.btf().map(b -> (b.typeCount() - 1) + " BTF types").orElse("no BTF"))
                    .append('\n');
            Table programs = new Table("PROGRAM", "SECTION", "TYPE", "ATTACH TYPE", "ATTACH TO", "INSNS", "RELOCS");
            for (ProgramSpec p : s.programs()) {
                programs.row(p.name() + (p.isSubprogram() ? " (subprog)" : ""), p.section(),
                        p.sectionDef().known() || p.isSubprogram() ? p.type().libbpfName() : "unknown",
                        p.expectedAttachType() == null ? "-" : p.expectedAttachType().libbpfName(),
                        p.attachTo() == null ? "-" : p.attachTo(),
                        Integer.toString(p.instructionCount()), Integer.toString(p.relocations().size()));
            }
            programs.appendTo(sb, "programs");
            Table maps = new Table("MAP", "TYPE", "KEY", "VALUE", "MAX", "FLAGS", "KEY TYPE", "VALUE TYPE");
            for (MapSpec m : s.maps()) {
                maps.row(m.name(), typeName(m), Long.toString(m.keySize()), Long.toString(m.valueSize()),
                        Long.toString(m.maxEntries()), "0x" + Long.toHexString(m.flags()),
                        m.keyType() == null ? "-" : m.keyType(), m.valueType() == null ? "-" : m.valueType());
            }
            maps.appendTo(sb, "maps");
            Table pmu = new Table("MAP", "COUNTER", "EVENT", "FALLBACK");
            for (MapSpec m : s.maps()) {
                m.pmuCounters().forEach(c -> pmu.row(m.name(), Integer.toString(c.index()), c.event(),
                        c.fallback() == null ? "-" : c.fallback()));
            }
            if (!pmu.isEmpty()) {
                pmu.appendTo(sb, "PMU counters");
            }
            Table globals = new Table("SECTION", "VARIABLE", "OFFSET", "SIZE", "TYPE", "LINKAGE");
            for (GlobalVariable g : s.globals()) {
                globals.row(g.section(), g.name(), Long.toString(g.offset()), Long.toString(g.size()), g.type(),
                        g.linkage());
            }
            globals.appendTo(sb, "globals");
        }
        return sb.toString();
    }

    /** Left-aligned columns as wide as their widest cell. */
    private static final class Table {
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            rows.add(header);
        }

        void row(String... cells) {
            rows.add(cells);
        }

        boolean isEmpty() {
            return rows.size() == 1;
        }

        void appendTo(StringBuilder sb, String what) {
            if (rows.size() == 1) {
                sb.append("  (no ").append(what).append(")\n");
                return;
            }
            int[] widths = new int[rows.getFirst().length];
            for (String[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    widths[i] = Math.max(widths[i], r[i].length());
                }
            }
            for (String[] r : rows) {
                StringBuilder line = new StringBuilder("  ");
                for (int i = 0; i < r.length; i++) {
                    line.append(r[i]);
                    if (i < r.length - 1) {
                        line.append(" ".repeat(widths[i] - r[i].length() + 2));
                    }
                }
                sb.append(line.toString().stripTrailing()).append('\n');
            }
        }
    }
}
