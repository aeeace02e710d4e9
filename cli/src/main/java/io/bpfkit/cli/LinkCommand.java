package io.bpfkit.cli;

import io.bpfkit.api.KernelException;
import io.bpfkit.object.AttachType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Fd;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code bpfkit link list|show [ID | id ID | pinned PATH] [--json]}: the links the kernel holds,
 * as {@code bpftool link show} prints them (JSON as {@code bpftool -j}), with the target of
 * raw tracepoint, tracing, cgroup, netns, XDP, tcx, netkit, struct_ops and perf_event
 * (tracepoint and perf event) links. The targets of iter, kprobe_multi, uprobe_multi,
 * netfilter and sockmap links, bpftool's {@code pids} and its {@code pinned} (with {@code -f})
 * are not printed.
 */
final class LinkCommand {
    static final String USAGE = "usage: bpfkit link list|show [ID | id ID | pinned PATH] [--json]";

    private LinkCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        return KernelObjectArgs.run("link", err, () -> {
            KernelObjectArgs a = KernelObjectArgs.parse(args, USAGE, List.of("list", "show"), List.of("show"), List.of());
            JsonWriter j = new JsonWriter(false);
            StringBuilder s = new StringBuilder();
            if (a.hasObject()) {
                try (Fd fd = a.open(KernelObjectArgs.Kind.LINK)) {
                    print(KernelInfo.link(fd), a.json(), j, s);
                }
            } else {
                if (a.json()) {
                    j.beginArray();
                }
                for (int id = Bpf.linkGetNextId(0); id != 0; id = Bpf.linkGetNextId(id)) {
                    Fd fd;
                    try {
                        fd = Bpf.linkGetFdById(id);
                    } catch (KernelException e) {
                        if (e.errno() == Errno.ENOENT) {
                            continue; // released between the two calls
                        }
                        throw a.failure(KernelObjectArgs.Kind.LINK, e);
                    }
                    try (fd) {
                        print(KernelInfo.link(fd), a.json(), j, s);
                    }
                }
                if (a.json()) {
                    j.endArray();
                }
            }
            out.print(a.json() ? j + "\n" : s);
            out.flush();
            return Main.OK;
        });
    }

    private static void print(KernelInfo.Link l, boolean asJson, JsonWriter j, StringBuilder s) {
        if (asJson) {
            json(l, j);
        } else {
            plain(l, s);
        }
    }

    static void json(KernelInfo.Link l, JsonWriter j) {
        j.beginObject().unsignedField("id", l.id() & 0xffffffffL);
        String type = KernelInfo.linkTypeName(l.type());
        if (type != null) {
            j.field("type", type);
        } else {
            j.field("type", l.type());
        }
        j.unsignedField("prog_id", l.progId() & 0xffffffffL);
        switch (l.target()) {
            case KernelInfo.RawTracepoint t -> j.field("tp_name", t.tpName());
            case KernelInfo.Tracing t -> {
                String progType = ProgCommand.typeName(t.progType());
                if (progType != null) {
                    j.field("prog_type", progType);
                } else {
                    j.field("prog_type", t.progType());
                }
                attachType(j, t.attachType());
                j.unsignedField("target_obj_id", t.targetObjId() & 0xffffffffL)
                        .unsignedField("target_btf_id", t.targetBtfId() & 0xffffffffL);
            }
            case KernelInfo.Cgroup t -> {
                j.unsignedField("cgroup_id", t.cgroupId());
                attachType(j, t.attachType());
            }
            case KernelInfo.Netns t -> {
                j.unsignedField("netns_ino", t.netnsIno() & 0xffffffffL);
                attachType(j, t.attachType());
            }
            case KernelInfo.Device t -> {
                String name = t.ifindex() == 0 ? "(detached)" : KernelInfo.interfaceName(t.ifindex());
                j.field("devname", name != null ? name : "(unknown)").unsignedField("ifindex", t.ifindex() & 0xffffffffL);
                if (t.attachType() >= 0) {
                    attachType(j, t.attachType());
                }
            }
            case KernelInfo.StructOps t -> j.unsignedField("map_id", t.mapId() & 0xffffffffL);
            case KernelInfo.Sockmap t -> {
                j.unsignedField("map_id", t.mapId() & 0xffffffffL);
                attachType(j, t.attachType());
            }
            case KernelInfo.PerfTracepoint t -> j.field("tracepoint", t.tpName()).unsignedField("cookie", t.cookie());
            case KernelInfo.PerfEvent t -> {
                String eventType = PerfEventNames.type(t.eventType());
                if (eventType != null) {
                    j.field("event_type", eventType);
                } else {
                    j.field("event_type", t.eventType());
                }
                String config = PerfEventNames.config(t.eventType(), t.config());
                if (config != null) {
                    j.field("event_config", config);
                } else {
                    j.unsignedField("event_config", t.config());
                }
                j.unsignedField("cookie", t.cookie());
            }
            case null -> {
            }
        }
        j.endObject();
    }

    private static void attachType(JsonWriter j, int attachType) {
        String name = AttachType.ofValue(attachType).map(AttachType::libbpfName).orElse(null);
        if (name != null) {
            j.field("attach_type", name);
        } else {
            j.field("attach_type", attachType);
        }
    }

    private static String attachTypePlain(int attachType) {
        return "attach_type " + AttachType.ofValue(attachType).map(AttachType::libbpfName)
                .orElse(Integer.toUnsignedString(attachType)) + "  ";
    }

    static void plain(KernelInfo.Link l, StringBuilder s) {
        s.append(Integer.toUnsignedString(l.id())).append(": ");
        String type = KernelInfo.linkTypeName(l.type());
        s.append(type != null ? type + "  " : "type " + l.type() + "  ");
        if (l.target() instanceof KernelInfo.StructOps t) {
            s.append("map ").append(Integer.toUnsignedString(t.mapId())).append("  ");
        } else {
            s.append("prog ").append(Integer.toUnsignedString(l.progId())).append("  ");
        }
        switch (l.target()) {
            case KernelInfo.RawTracepoint t -> s.append("\n\ttp '").append(t.tpName()).append("'  ");
            case KernelInfo.Tracing t -> {
                String progType = ProgCommand.typeName(t.progType());
                s.append("\n\tprog_type ").append(progType != null ? progType : Integer.toUnsignedString(t.progType()))
                        .append("  ").append(attachTypePlain(t.attachType()));
                if (t.targetObjId() != 0 || t.targetBtfId() != 0) {
                    s.append("\n\ttarget_obj_id ").append(Integer.toUnsignedString(t.targetObjId()))
                            .append("  target_btf_id ").append(Integer.toUnsignedString(t.targetBtfId())).append("  ");
                }
            }
            case KernelInfo.Cgroup t -> s.append("\n\tcgroup_id ").append(Long.toUnsignedString(t.cgroupId())).append("  ")
                    .append(attachTypePlain(t.attachType()));
            case KernelInfo.Netns t -> s.append("\n\tnetns_ino ").append(Integer.toUnsignedString(t.netnsIno()))
                    .append("  ").append(attachTypePlain(t.attachType()));
            case KernelInfo.Device t -> {
                String name = t.ifindex() == 0 ? null : KernelInfo.interfaceName(t.ifindex());
                s.append("\n\tifindex ").append(t.ifindex() == 0 ? "(detached)"
                        : name != null ? name + "(" + t.ifindex() + ")" : "(unknown)").append("  ");
                if (t.attachType() >= 0) {
                    s.append(attachTypePlain(t.attachType()));
                }
            }
            case KernelInfo.StructOps t -> {
            }
            case KernelInfo.Sockmap t -> s.append("\n\tmap_id ").append(Integer.toUnsignedString(t.mapId())).append("  ")
                    .append(attachTypePlain(t.attachType()));
            case KernelInfo.PerfTracepoint t when t.tpName().isEmpty() -> {
            }
            case KernelInfo.PerfTracepoint t -> {
                s.append("\n\ttracepoint ").append(t.tpName()).append("  ");
                if (t.cookie() != 0) {
                    s.append("cookie ").append(Long.toUnsignedString(t.cookie())).append("  ");
                }
            }
            case KernelInfo.PerfEvent t -> {
                String eventType = PerfEventNames.type(t.eventType());
                String config = PerfEventNames.config(t.eventType(), t.config());
                s.append("\n\tevent ").append(eventType != null ? eventType : Integer.toUnsignedString(t.eventType()))
                        .append(':').append(config != null ? config : Long.toUnsignedString(t.config())).append("  ");
                if (t.cookie() != 0) {
                    s.append("cookie ").append(Long.toUnsignedString(t.cookie())).append("  ");
                }
            }
            case null -> {
            }
        }
        s.append('\n');
    }
}
