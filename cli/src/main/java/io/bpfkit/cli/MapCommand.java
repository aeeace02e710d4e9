package io.bpfkit.cli;

import io.bpfkit.api.KernelException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.KernelBtf;
import io.bpfkit.object.MapType;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Cpus;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.MapCalls;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * {@code bpfkit map list|show [MAP] [--json]} and {@code bpfkit map dump MAP [--json]}, where
 * MAP is {@code ID}, {@code id ID}, {@code pinned PATH} or a path: the maps the kernel holds,
 * and a map's elements, printed as {@code bpftool map show|dump} prints them (JSON as
 * {@code bpftool -j}). Keys and values are decoded with the map's BTF, which comes from the
 * kernel ({@code BPF_BTF_GET_FD_BY_ID}, the raw BTF through {@code BPF_OBJ_GET_INFO_BY_FD}; a
 * struct_ops map's value type from vmlinux), by {@link BtfValueWriter}: in plain text as
 * bpftool's indented listing, in JSON as a {@code formatted} member beside the hex bytes. A map
 * without BTF prints as hex, per CPU for per-CPU maps. bpftool's {@code pids} and
 * {@code pinned} (with its {@code -f}) are not printed.
 */
final class MapCommand {
    static final String USAGE = "usage: bpfkit map list|show [ID | id ID | pinned PATH] [--json]\n"
            + "       bpfkit map dump ID | id ID | pinned PATH | PATH [--json]";

    private MapCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        return KernelObjectArgs.run("map", err, () -> {
            KernelObjectArgs a = KernelObjectArgs.parse(args, USAGE, List.of("list", "show", "dump"),
                    List.of("show", "dump"), List.of("dump"));
            String text;
            if (a.verb().equals("dump")) {
                try (Fd fd = a.open(KernelObjectArgs.Kind.MAP)) {
                    KernelInfo.Map m = KernelInfo.map(fd);
                    try {
                        text = dump(fd, m, a.json());
                    } catch (IllegalArgumentException e) { // a BTF kind no key or value can have
                        throw new KernelObjectArgs.Failure(Main.FAILED, "map id " + Integer.toUnsignedString(m.id())
                                + ": cannot decode its BTF: " + e.getMessage());
                    }
                }
            } else if (a.hasObject()) {
                try (Fd fd = a.open(KernelObjectArgs.Kind.MAP)) {
                    text = show(fd, a.json(), new JsonWriter(false), new StringBuilder());
                }
            } else {
                JsonWriter j = new JsonWriter(false);
                StringBuilder s = new StringBuilder();
                if (a.json()) {
                    j.beginArray();
                }
                for (int id = Bpf.mapGetNextId(0); id != 0; id = Bpf.mapGetNextId(id)) {
                    Fd fd;
                    try {
                        fd = Bpf.mapGetFdById(id, 0);
                    } catch (KernelException e) {
                        if (e.errno() == Errno.ENOENT) {
                            continue; // freed between the two calls
                        }
                        throw a.failure(KernelObjectArgs.Kind.MAP, e);
                    }
                    try (fd) {
                        show(fd, a.json(), j, s);
                    }
                }
                if (a.json()) {
                    j.endArray();
                }
                text = a.json() ? j + "\n" : s.toString();
            }
            out.print(text);
            out.flush();
            return Main.OK;
        });
    }

    static String typeName(int type) {
        MapType t = MapType.of(type);
        return t == null ? null : t.libbpfName();
    }

    /** One map as {@code bpftool map show} prints it; returns the text when it is the only one. */
    private static String show(Fd fd, boolean asJson, JsonWriter j, StringBuilder s) {
        KernelInfo.Map m = KernelInfo.map(fd);
        String memlock = KernelInfo.fdinfo(fd, "memlock");
        String frozen = KernelInfo.fdinfo(fd, "frozen");
        String ownerType = null;
        String ownerJited = null;
        if (m.type() == MapType.PROG_ARRAY.value()) {
            ownerType = KernelInfo.fdinfo(fd, "owner_prog_type");
            ownerJited = KernelInfo.fdinfo(fd, "owner_jited");
        }
        int isFrozen = frozen == null ? 0 : (int) ProgCommand.parseLong(frozen);
        if (asJson) {
            j.beginObject();
            header(m, j);
            ProgCommand.device(j, m.ifindex(), m.netnsDev(), m.netnsIno());
            j.unsignedField("bytes_key", m.keySize() & 0xffffffffL).unsignedField("bytes_value", m.valueSize() & 0xffffffffL)
                    .unsignedField("max_entries", m.maxEntries() & 0xffffffffL);
            if (memlock != null) {
                j.field("bytes_memlock", ProgCommand.parseLong(memlock));
            }
            if (ownerType != null) {
                int t = (int) ProgCommand.parseLong(ownerType);
                String name = ProgCommand.typeName(t);
                if (name != null) {
                    j.field("owner_prog_type", name);
                } else {
                    j.field("owner_prog_type", t);
                }
            }
            if (ownerJited != null) {
                j.field("owner_jited", ProgCommand.parseLong(ownerJited) != 0);
            }
            j.field("frozen", isFrozen);
            if (m.btfId() != 0) {
                j.field("btf_id", m.btfId());
            }
            j.endObject();
            return j + "\n";
        }
        headerPlain(m, s);
        s.append("\tkey ").append(Integer.toUnsignedString(m.keySize())).append("B  value ")
                .append(Integer.toUnsignedString(m.valueSize())).append("B  max_entries ")
                .append(Integer.toUnsignedString(m.maxEntries()));
        if (memlock != null) {
            s.append("  memlock ").append(memlock).append('B');
        }
        if (ownerType != null || ownerJited != null) {
            s.append("\n\t");
        }
        if (ownerType != null) {
            int t = (int) ProgCommand.parseLong(ownerType);
            String name = ProgCommand.typeName(t);
            s.append("owner_prog_type ").append(name != null ? name : Integer.toString(t)).append("  ");
        }
        if (ownerJited != null) {
            s.append("owner").append(ProgCommand.parseLong(ownerJited) != 0 ? "" : " not").append(" jited");
        }
        if (m.btfId() != 0 || isFrozen != 0) {
            s.append("\n\t");
        }
        if (m.btfId() != 0) {
            s.append("btf_id ").append(m.btfId());
        }
        if (isFrozen != 0) {
            s.append(m.btfId() != 0 ? "  " : "").append("frozen");
        }
        s.append('\n');
        return s.toString();
    }

    private static void header(KernelInfo.Map m, JsonWriter j) {
        j.unsignedField("id", m.id() & 0xffffffffL);
        String type = typeName(m.type());
        if (type != null) {
            j.field("type", type);
        } else {
            j.field("type", m.type());
        }
        if (!m.name().isEmpty()) {
            j.field("name", m.name());
        }
        j.field("flags", m.flags());
    }

    private static void headerPlain(KernelInfo.Map m, StringBuilder s) {
        s.append(Integer.toUnsignedString(m.id())).append(": ");
        String type = typeName(m.type());
        s.append(type != null ? type + "  " : "type " + m.type() + "  ");
        if (!m.name().isEmpty()) {
            s.append("name ").append(m.name()).append("  ");
        }
        s.append("flags 0x").append(Integer.toHexString(m.flags()));
        ProgCommand.devicePlain(s, m.ifindex(), m.netnsDev(), m.netnsIno());
        s.append('\n');
    }

    /** Every element, as {@code bpftool map dump} prints them. */
    static String dump(Fd fd, KernelInfo.Map m, boolean asJson) throws KernelObjectArgs.Failure {
        MapType type = MapType.of(m.type());
        boolean perCpu = type != null && type.isPerCpu();
        int cpus = perCpu ? Cpus.possibleCount() : 1;
        int step = (m.valueSize() + 7) & ~7;
        Btf btf = null;
        int valueTypeId = m.btfVmlinuxValueTypeId() != 0 ? m.btfVmlinuxValueTypeId() : m.btfValueTypeId();
        if (m.btfVmlinuxValueTypeId() != 0) {
            btf = KernelBtf.vmlinux();
        } else if (m.btfValueTypeId() != 0) {
            btf = KernelInfo.btf(m.btfId());
        }
        // bpftool's plain text is its BTF listing as soon as the map has BTF at all.
        JsonWriter w = asJson || m.btfId() != 0 ? new JsonWriter(!asJson) : null;
        StringBuilder plain = new StringBuilder();
        if (w != null) {
            w.beginArray();
        }
        MapCalls calls = MapCalls.of(fd);
        int elements = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(Math.max(m.keySize(), 1));
            MemorySegment next = arena.allocate(Math.max(m.keySize(), 1));
            MemorySegment value = arena.allocate(Math.max((long) (perCpu ? step : m.valueSize()) * cpus, 1), 8);
            boolean first = true;
            while (true) {
                boolean more;
                try {
                    more = calls.nextKey(first ? null : key, next);
                } catch (KernelException e) {
                    String t = typeName(m.type());
                    throw new KernelObjectArgs.Failure(Main.FAILED, "map id " + m.id() + " ("
                            + (t != null ? t : "type " + m.type()) + ") cannot be listed key by key: "
                            + e.getMessage());
                }
                if (!more) {
                    break;
                }
                first = false;
                MemorySegment.copy(next, 0, key, 0, m.keySize());
                byte[] k = key.asSlice(0, m.keySize()).toArray(ValueLayout.JAVA_BYTE);
                int errno = 0;
                try {
                    if (!calls.lookup(key, value)) {
                        errno = Errno.ENOENT;
                    }
                } catch (KernelException e) {
                    errno = e.errno();
                }
                if (errno != 0) {
                    entryError(m, type, k, errno, w, asJson, plain);
                    continue;
                }
                byte[] v = value.asSlice(0, value.byteSize()).toArray(ValueLayout.JAVA_BYTE);
                elements++;
                if (asJson) {
                    entryJson(m, type, perCpu, cpus, step, k, v, btf, valueTypeId, w);
                } else if (btf != null) {
                    formatted(m, perCpu, cpus, step, k, v, btf, valueTypeId, w);
                } else {
                    entryPlain(m, type, perCpu, cpus, step, k, v, plain);
                }
            }
        }
        if (w != null) {
            w.endArray();
            return (asJson ? "" : plain) + w.toString() + "\n";
        }
        return plain + "Found " + elements + " element" + (elements != 1 ? "s" : "") + "\n";
    }

    private static void entryJson(KernelInfo.Map m, MapType type, boolean perCpu, int cpus, int step, byte[] k,
                                  byte[] v, Btf btf, int valueTypeId, JsonWriter w) {
        w.beginObject().name("key");
        hexJson(w, k, 0, k.length);
        if (!perCpu) {
            w.name("value");
            hexJson(w, v, 0, m.valueSize());
            if (type != null && type.isMapInMap()) {
                w.unsignedField("inner_map_id", java.nio.ByteBuffer.wrap(v).order(java.nio.ByteOrder.nativeOrder())
                        .getInt() & 0xffffffffL);
            }
        } else {
            w.name("values").beginArray();
            for (int cpu = 0; cpu < cpus; cpu++) {
                w.beginObject().field("cpu", cpu).name("value");
                hexJson(w, v, cpu * step, m.valueSize());
                w.endObject();
            }
            w.endArray();
        }
        if (btf != null) {
            w.name("formatted");
            formatted(m, perCpu, cpus, step, k, v, btf, valueTypeId, w);
        }
        w.endObject();
    }

    /** bpftool's {@code do_dump_btf}: {"key":..., "value":...} or, per CPU, "values". */
    private static void formatted(KernelInfo.Map m, boolean perCpu, int cpus, int step, byte[] k, byte[] v, Btf btf,
                                  int valueTypeId, JsonWriter w) {
        BtfValueWriter values = new BtfValueWriter(btf, w, w.isPretty());
        w.beginObject();
        if (m.btfKeyTypeId() != 0) {
            w.name("key");
            values.write(m.btfKeyTypeId(), k, 0);
        }
        if (!perCpu) {
            w.name("value");
            values.write(valueTypeId, v, 0);
        } else {
            w.name("values").beginArray();
            for (int cpu = 0; cpu < cpus; cpu++) {
                w.beginObject().field("cpu", cpu).name("value");
                values.write(valueTypeId, v, cpu * step);
                w.endObject();
            }
            w.endArray();
        }
        w.endObject();
    }

    private static void entryPlain(KernelInfo.Map m, MapType type, boolean perCpu, int cpus, int step, byte[] k,
                                   byte[] v, StringBuilder s) {
        if (!perCpu) {
            boolean breakNames = m.keySize() > 16 || m.valueSize() > 16;
            boolean singleLine = m.keySize() + m.valueSize() <= 24 && !breakNames;
            if (m.keySize() != 0) {
                s.append("key:").append(breakNames ? '\n' : ' ');
                hexPlain(s, k, 0, m.keySize());
                s.append(singleLine ? "  " : "\n");
            }
            if (m.valueSize() != 0) {
                if (type != null && type.isMapInMap()) {
                    s.append("inner_map_id:").append(breakNames ? '\n' : ' ').append(Integer.toUnsignedString(
                            java.nio.ByteBuffer.wrap(v).order(java.nio.ByteOrder.nativeOrder()).getInt())).append(' ');
                } else {
                    s.append("value:").append(breakNames ? '\n' : ' ');
                    hexPlain(s, v, 0, m.valueSize());
                }
            }
            s.append('\n');
        } else {
            if (m.keySize() != 0) {
                s.append("key:\n");
                hexPlain(s, k, 0, m.keySize());
                s.append('\n');
            }
            if (m.valueSize() != 0) {
                for (int cpu = 0; cpu < cpus; cpu++) {
                    s.append(String.format("value (CPU %02d):%c", cpu, m.valueSize() > 16 ? '\n' : ' '));
                    hexPlain(s, v, cpu * step, m.valueSize());
                    s.append('\n');
                }
            }
        }
    }

    /** bpftool's {@code print_entry_error}: a missing slot of a program or map array is no entry at all. */
    private static void entryError(KernelInfo.Map m, MapType type, byte[] k, int errno, JsonWriter w, boolean asJson,
                                   StringBuilder s) {
        if (errno == Errno.ENOENT && type != null && (type.isMapInMap() || type == MapType.PROG_ARRAY)) {
            return;
        }
        if (asJson) {
            w.beginObject().name("key");
            hexJson(w, k, 0, k.length);
            w.name("value").beginObject().field("error", strerror(errno)).endObject().endObject();
            return;
        }
        String msg = errno == Errno.ENOENT ? "<no entry>"
                : errno == Errno.ENOSPC && type == MapType.REUSEPORT_SOCKARRAY ? "<cannot read>" : strerror(errno);
        boolean breakNames = m.keySize() > 16 || msg.length() > 16;
        boolean singleLine = m.keySize() + msg.length() <= 24 && !breakNames;
        s.append("key:").append(breakNames ? '\n' : ' ');
        hexPlain(s, k, 0, m.keySize());
        s.append(singleLine ? "  " : "\n");
        s.append("value:").append(breakNames ? '\n' : ' ').append(msg).append('\n');
    }

    private static void hexJson(JsonWriter w, byte[] b, int from, int len) {
        w.beginArray();
        for (int i = 0; i < len; i++) {
            w.raw(String.format("\"0x%02x\"", b[from + i] & 0xff));
        }
        w.endArray();
    }

    /**
     * bpftool's {@code fprint_hex}: two hex digits a byte, a space between bytes, two after
     * every eighth, a new line after every sixteenth.
     */
    private static void hexPlain(StringBuilder s, byte[] b, int from, int len) {
        for (int i = 0; i < len; i++) {
            s.append(i == 0 ? "" : i % 16 == 0 ? "\n" : i % 8 == 0 ? "  " : " ")
                    .append(String.format("%02x", b[from + i] & 0xff));
        }
    }

    /** glibc's {@code strerror} text of the errnos a map lookup gives, as bpftool prints them. */
    static String strerror(int errno) {
        return switch (errno) {
            case Errno.EPERM -> "Operation not permitted";
            case Errno.ENOENT -> "No such file or directory";
            case Errno.E2BIG -> "Argument list too long";
            case Errno.EBADF -> "Bad file descriptor";
            case Errno.ENOMEM -> "Cannot allocate memory";
            case Errno.EACCES -> "Permission denied";
            case Errno.EFAULT -> "Bad address";
            case Errno.EINVAL -> "Invalid argument";
            case Errno.ENOSPC -> "No space left on device";
            case Errno.EOPNOTSUPP -> "Operation not supported";
            default -> "Unknown error " + errno;
        };
    }
}
