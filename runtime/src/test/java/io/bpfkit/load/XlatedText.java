package io.bpfkit.load;

import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A loaded program's translated instructions ({@code BPF_OBJ_GET_INFO_BY_FD}) as text, map
 * references by map name rather than id, kernel addresses the verifier wrote as
 * {@code kernel-address} and addresses in the object's arena (an {@code __arena} global's
 * ld_imm64: the arena's user address, picked per process when map_extra is 0) as
 * {@code arena off:N}, so that loads by libbpf and by bpfkit compare: the text that
 * libbpf_load_dump.c and selftests_libbpf.c print.
 */
final class XlatedText {
    private XlatedText() {
    }

    /** A {@code HEADER NAME COUNT} line, then one line per instruction of {@code p}, a program of {@code obj}. */
    static String of(String header, LoadedProgram p, LoadedObject obj) {
        MemorySegment arena = obj.maps().values().stream().flatMap(m -> m.arenaMemory().stream()).findFirst()
                .orElse(null);
        return text(header, p, arena);
    }

    private static String text(String header, LoadedProgram p, MemorySegment arena) {
        byte[] insns = Bpf.progXlatedInsns(p.fd());
        ByteBuffer b = ByteBuffer.wrap(insns).order(ByteOrder.LITTLE_ENDIAN);
        int n = insns.length / 8;
        StringBuilder sb = new StringBuilder(header).append(' ').append(p.name()).append(' ').append(n).append('\n');
        for (int i = 0; i < n; i++) {
            int code = Byte.toUnsignedInt(b.get(i * 8));
            int regs = Byte.toUnsignedInt(b.get(i * 8 + 1));
            int dst = regs & 0xf;
            int src = regs >>> 4;
            short off = b.getShort(i * 8 + 2);
            int imm = b.getInt(i * 8 + 4);
            if (code == 0x18 && src == 0 && i + 1 < n && b.getInt((i + 1) * 8 + 4) >>> 16 == 0xffff) {
                // a kernel address the verifier put there (a map for the timer helpers): not the
                // same in two loads
                sb.append(i).append(": ").append(String.format("%02x", code)).append(' ').append(dst).append(' ')
                        .append(src).append(' ').append(off).append(" kernel-address\n");
                i++;
                sb.append(i).append(": -\n");
                continue;
            }
            long value = i + 1 < n ? Integer.toUnsignedLong(imm) | (long) b.getInt((i + 1) * 8 + 4) << 32 : 0;
            if (code == 0x18 && src == 0 && i + 1 < n && arena != null && value - arena.address() >= 0
                    && value - arena.address() <= arena.byteSize()) {
                sb.append(i).append(": ").append(String.format("%02x", code)).append(' ').append(dst).append(' ')
                        .append(src).append(' ').append(off).append(" arena off:").append(value - arena.address())
                        .append('\n');
                i++;
                sb.append(i).append(": -\n");
                continue;
            }
            if (code == 0x18 && (src == 1 || src == 2) && i + 1 < n) {
                sb.append(i).append(": ").append(String.format("%02x", code)).append(' ').append(dst).append(' ')
                        .append(src).append(' ').append(off).append(" map:").append(mapName(imm))
                        .append(" off:").append(src == 2 ? b.getInt((i + 1) * 8 + 4) : 0).append('\n');
                i++;
                sb.append(i).append(": -\n");
                continue;
            }
            sb.append(i).append(": ").append(String.format("%02x", code)).append(' ').append(dst).append(' ')
                    .append(src).append(' ').append(off).append(' ').append(imm).append('\n');
        }
        return sb.toString();
    }

    private static String mapName(int id) {
        try (Fd fd = Bpf.mapGetFdById(id, 0)) {
            return Bpf.mapInfo(fd).name();
        }
    }
}
