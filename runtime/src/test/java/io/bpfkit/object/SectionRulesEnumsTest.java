package io.bpfkit.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link ProgramType} and {@link AttachType} against the kernel's numbering and libbpf's names. */
class SectionRulesEnumsTest {

    @Test
    void programTypeValuesAreTheKernels() {
        assertEquals(33, ProgramType.values().length, "UNSPEC .. NETFILTER");
        for (ProgramType t : ProgramType.values()) {
            assertEquals(t.ordinal(), t.value(), t.name());
            assertEquals(Optional.of(t), ProgramType.ofValue(t.value()));
            assertEquals(Optional.of(t), ProgramType.ofLibbpfName(t.libbpfName()));
        }
        assertEquals(0, ProgramType.UNSPEC.value());
        assertEquals(2, ProgramType.KPROBE.value());
        assertEquals(6, ProgramType.XDP.value());
        assertEquals(26, ProgramType.TRACING.value());
        assertEquals(31, ProgramType.SYSCALL.value());
        assertEquals(32, ProgramType.NETFILTER.value());
        assertEquals("raw_tracepoint_writable", ProgramType.RAW_TRACEPOINT_WRITABLE.libbpfName());
        assertEquals("ext", ProgramType.EXT.libbpfName());
        assertTrue(ProgramType.ofValue(-1).isEmpty());
        assertTrue(ProgramType.ofValue(33).isEmpty());
        assertTrue(ProgramType.ofLibbpfName("nope").isEmpty());
    }

    @Test
    void attachTypeValuesAreTheKernels() {
        assertEquals(62, AttachType.values().length);
        Set<String> names = new HashSet<>();
        for (AttachType t : AttachType.values()) {
            assertEquals(t.ordinal(), t.value(), t.name());
            assertEquals(Optional.of(t), AttachType.ofValue(t.value()));
            assertEquals(Optional.of(t), AttachType.ofLibbpfName(t.libbpfName()));
            assertTrue(names.add(t.libbpfName()));
        }
        assertEquals(0, AttachType.CGROUP_INET_INGRESS.value());
        assertEquals(23, AttachType.TRACE_RAW_TP.value());
        assertEquals(37, AttachType.XDP.value());
        assertEquals(46, AttachType.TCX_INGRESS.value());
        assertEquals(49, AttachType.CGROUP_UNIX_CONNECT.value());
        assertEquals(55, AttachType.NETKIT_PEER.value());
        assertEquals(56, AttachType.TRACE_KPROBE_SESSION.value());
        assertEquals(57, AttachType.TRACE_UPROBE_SESSION.value());
        assertEquals(58, AttachType.MAX_LINUX_6_18);
        assertTrue(AttachType.TRACE_UPROBE_SESSION.inLinux618());
        assertFalse(AttachType.TRACE_FSESSION.inLinux618());
        assertFalse(AttachType.TRACE_FSESSION_MULTI.inLinux618());
        assertEquals("modify_return", AttachType.MODIFY_RETURN.libbpfName());
        assertEquals("trace_uprobe_session", AttachType.TRACE_UPROBE_SESSION.libbpfName());
        assertTrue(AttachType.ofValue(62).isEmpty());
    }

    /** The installed UAPI header may be older than 6.18: every constant it has must agree with ours. */
    @Test
    void agreeWithInstalledUapiHeader() throws IOException {
        Path header = Path.of("/usr/include/linux/bpf.h");
        Tools.assumePresent(Files.isReadable(header), "no /usr/include/linux/bpf.h on this machine (apt-get install "
                + "linux-libc-dev)");
        String text = Files.readString(header);
        List<String> progTypes = enumConstants(text, "bpf_prog_type");
        List<String> attachTypes = enumConstants(text, "bpf_attach_type");
        assertTrue(progTypes.size() > 20 && attachTypes.size() > 30, "header parsed");
        for (int i = 0; i < progTypes.size(); i++) {
            assertEquals(progTypes.get(i), "BPF_PROG_TYPE_" + ProgramType.ofValue(i).orElseThrow().name());
        }
        for (int i = 0; i < attachTypes.size(); i++) {
            assertEquals(attachTypes.get(i), "BPF_" + AttachType.ofValue(i).orElseThrow().name());
        }
    }

    /** The constants of {@code enum name}, in order, without the {@code __MAX_} sentinel; all implicitly numbered. */
    private static List<String> enumConstants(String text, String name) {
        Matcher m = Pattern.compile("enum " + name + " \\{(.*?)\\};", Pattern.DOTALL).matcher(text);
        assertTrue(m.find(), "enum " + name);
        String body = m.group(1).replaceAll("/\\*.*?\\*/", "");
        List<String> out = new ArrayList<>();
        for (String part : body.split(",")) {
            String c = part.strip();
            if (c.isEmpty() || c.startsWith("__MAX")) {
                continue;
            }
            assertFalse(c.contains("="), "explicit value in " + name + ": " + c);
            out.add(c);
        }
        return out;
    }
}
