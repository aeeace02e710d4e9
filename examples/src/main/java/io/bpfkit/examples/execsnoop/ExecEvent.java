package io.bpfkit.examples.execsnoop;

import io.bpfkit.api.annotation.CStruct;
import io.bpfkit.api.codec.Size;
import io.bpfkit.api.codec.Unsigned;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code struct exec_event} of {@code execsnoop.bpf.c}: a process started a new program.
 *
 * @param pid the process (tgid)
 * @param ppid its parent
 * @param uid real user id
 * @param argsLen bytes of {@code args} filled
 * @param comm the new command name
 * @param filename the path given to exec
 * @param args argv, each argument ending in NUL (cut after 256 bytes)
 */
@CStruct("exec_event")
public record ExecEvent(@Unsigned int pid, @Unsigned int ppid, @Unsigned int uid, @Unsigned int argsLen,
                        @Size(16) String comm, @Size(128) String filename, @Size(256) byte[] args) {

    /** The arguments, argv[0] first; the last one may be cut short. */
    public List<String> arguments() {
        List<String> list = new ArrayList<>();
        int n = Math.min(argsLen, args.length);
        for (int start = 0; start < n; ) {
            int end = start;
            while (end < n && args[end] != 0) {
                end++;
            }
            list.add(new String(args, start, end - start, StandardCharsets.UTF_8));
            start = end + 1;
        }
        return list;
    }

    /** The arguments joined by spaces, as a shell would show them (without quoting). */
    public String commandLine() {
        return String.join(" ", arguments());
    }
}
