package io.bpfkit.cli;

import io.bpfkit.object.ProgramType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code bpfkit prog list|show [ID | id ID | pinned PATH] [--json]}: the programs the kernel
 * holds, printed as {@code bpftool prog show} prints them, field for field (JSON with
 * {@code --json}, as {@code bpftool -j}). bpftool's {@code pids} (which processes hold the
 * program: bpftool finds them with a BPF iterator of its own), {@code pinned} (only with its
 * {@code -f}) and {@code metadata} (from the program's {@code .rodata}) are not printed.
 */
final class ProgCommand {
    static final String USAGE = "usage: bpfkit prog list|show [ID | id ID | pinned PATH] [--json]";

    private ProgCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        return KernelObjectArgs.run("prog", err, () -> {
            KernelObjectArgs a = KernelObjectArgs.parse(args, USAGE, List.of("list", "show"), List.of("show"), List.of());
            StringBuilder text = new StringBuilder();
            JsonWriter json = new JsonWriter(false);
            if (a.hasObject()) {
                try (Fd fd = a.open(KernelObjectArgs.Kind.PROG)) {
                    print(fd, a.json(), json, text);
                }
            } else {
                if (a.json()) {
                    json.beginArray();
                }
                for (int id = Bpf.progGetNextId(0); id != 0; id = Bpf.progGetNextId(id)) {
                    Fd fd;
                    try {
                        fd = Bpf.progGetFdById(id);
                    } catch (io.bpfkit.api.KernelException e) {
                        if (e.errno() == io.bpfkit.sys.Errno.ENOENT) {
                            continue; // freed between the two calls
                        }
                        throw a.failure(KernelObjectArgs.Kind.PROG, e);
                    }
                    try (fd) {
                        print(fd, a.json(), json, text);
                    }
                }
                if (a.json()) {
                    json.endArray();
                }
            }
            out.print(a.json() ? json + "\n" : text);
            out.flush();
            return Main.OK;
        });
    }

    private static void print(Fd fd, boolean asJson, JsonWriter j, StringBuilder text) {
        KernelInfo.Prog p = KernelInfo.prog(fd);
        String memlock = KernelInfo.fdinfo(fd, "memlock");
        if (asJson) {
            json(p, memlock, j);
        } else {
            plain(p, memlock, text);
        }
    }

    static String typeName(int type) {
        return ProgramType.ofValue(type).map(ProgramType::libbpfName).orElse(null);
    }

    static void json(KernelInfo.Prog p, String memlock, JsonWriter j) {
        j.beginObject().unsignedField("id", p.id() & 0xffffffffL);
        String type = typeName(p.type());
        if (type != null) {
            j.field("type", type);
        } else {
            j.field("type", p.type());
        }
        if (!p.name().isEmpty()) {
            j.field("name", p.name());
        }
        j.field("tag", p.tag()).field("gpl_compatible", p.gplCompatible());
        if (p.runTimeNs() != 0) {
            j.unsignedField("run_time_ns", p.runTimeNs()).unsignedField("run_cnt", p.runCnt());
        }
        if (p.recursionMisses() != 0) {
            j.unsignedField("recursion_misses", p.recursionMisses());
        }
        device(j, p.ifindex(), p.netnsDev(), p.netnsIno());
        if (p.loadTime() != 0) {
            j.name("loaded_at").number(BootTime.epochSeconds(p.loadTime()));
            j.unsignedField("uid", p.createdByUid() & 0xffffffffL);
        }
        j.field("orphaned", false).unsignedField("bytes_xlated", p.xlatedProgLen() & 0xffffffffL);
        if (p.jitedProgLen() != 0) {
            j.field("jited", true).unsignedField("bytes_jited", p.jitedProgLen() & 0xffffffffL);
        } else {
            j.field("jited", false);
        }
        if (memlock != null) {
            j.field("bytes_memlock", parseLong(memlock));
        }
        if (p.mapIds().length > 0) {
            j.name("map_ids").beginArray();
            for (int id : p.mapIds()) {
                j.unsigned(id & 0xffffffffL);
            }
            j.endArray();
        }
        if (p.btfId() != 0) {
            j.field("btf_id", p.btfId());
        }
        j.endObject();
    }

    static void plain(KernelInfo.Prog p, String memlock, StringBuilder s) {
        s.append(Integer.toUnsignedString(p.id())).append(": ");
        String type = typeName(p.type());
        s.append(type != null ? type + "  " : "type " + p.type() + "  ");
        if (!p.name().isEmpty()) {
            s.append("name ").append(p.name()).append("  ");
        }
        s.append("tag ").append(p.tag());
        devicePlain(s, p.ifindex(), p.netnsDev(), p.netnsIno());
        s.append(p.gplCompatible() ? "  gpl" : "");
        if (p.runTimeNs() != 0) {
            s.append(" run_time_ns ").append(p.runTimeNs()).append(" run_cnt ").append(p.runCnt());
        }
        if (p.recursionMisses() != 0) {
            s.append(" recursion_misses ").append(p.recursionMisses());
        }
        s.append('\n');
        if (p.loadTime() != 0) {
            s.append("\tloaded_at ").append(BootTime.isoLocal(p.loadTime())).append("  uid ")
                    .append(Integer.toUnsignedString(p.createdByUid())).append('\n');
        }
        s.append("\txlated ").append(Integer.toUnsignedString(p.xlatedProgLen())).append('B');
        s.append(p.jitedProgLen() != 0 ? "  jited " + Integer.toUnsignedString(p.jitedProgLen()) + "B" : "  not jited");
        if (memlock != null) {
            s.append("  memlock ").append(memlock).append('B');
        }
        if (p.mapIds().length > 0) {
            s.append("  map_ids ");
            for (int i = 0; i < p.mapIds().length; i++) {
                s.append(i == 0 ? "" : ",").append(Integer.toUnsignedString(p.mapIds()[i]));
            }
        }
        if (p.btfId() != 0) {
            s.append("\n\tbtf_id ").append(p.btfId());
        }
        s.append('\n');
    }

    /** bpftool's {@code dev} object of an offloaded program or map (ifindex not 0). */
    static void device(JsonWriter j, int ifindex, long nsDev, long nsIno) {
        if (ifindex == 0) {
            return;
        }
        j.name("dev").beginObject().unsignedField("ifindex", ifindex & 0xffffffffL).unsignedField("ns_dev", nsDev)
                .unsignedField("ns_inode", nsIno);
        String name = KernelInfo.interfaceName(ifindex);
        if (name != null) {
            j.field("ifname", name);
        }
        j.endObject();
    }

    static void devicePlain(StringBuilder s, int ifindex, long nsDev, long nsIno) {
        if (ifindex == 0) {
            return;
        }
        String name = KernelInfo.interfaceName(ifindex);
        s.append(name != null ? "  offloaded_to " + name : "  offload_device_ifindex " + ifindex + " ns_dev "
                + nsDev + " ns_ino " + nsIno);
    }

    /** C's {@code atoll}: the leading number, 0 when there is none. */
    static long parseLong(String s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*-?\\d+").matcher(s);
        return m.find() ? Long.parseLong(m.group().trim()) : 0;
    }
}
