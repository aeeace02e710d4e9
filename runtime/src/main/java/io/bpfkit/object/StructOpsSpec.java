package io.bpfkit.object;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The struct_ops part of a {@link MapSpec}: the object's variable of a kernel ops struct
 * ({@code struct tcp_congestion_ops}, ...) in {@code .struct_ops} or {@code .struct_ops.link},
 * its initial bytes (the data members the loader copies into the kernel's value), and which
 * program each function pointer member names. The loader matches the struct to the kernel's
 * {@code bpf_struct_ops_<struct>} by name, as libbpf does.
 *
 * <pre>{@code
 * StructOpsSpec ops = spec.map("cubic").orElseThrow().structOps();
 * ops.structName();                 // "tcp_congestion_ops"
 * ops.program("cong_avoid");        // Optional[bpf_cubic_cong_avoid]
 * }</pre>
 *
 * @param structName the struct's name in the object's BTF (a {@code ___flavor} suffix is dropped
 *     when the kernel type is looked up)
 * @param typeId the struct's id in the object's BTF
 * @param data the variable's initial bytes, the size of the struct in the object's BTF
 * @param functionPointers the function pointer members that name a program, in member order
 * @param link true for {@code .struct_ops.link}: registered through a BPF link
 */
public record StructOpsSpec(String structName, int typeId, byte[] data, List<FunctionPointer> functionPointers,
                            boolean link) {

    /**
     * One function pointer member set to a program.
     *
     * @param memberIndex the member's index in the object's struct
     * @param member the member's name
     * @param offset the member's byte offset in the object's struct
     * @param program the program's name
     */
    public record FunctionPointer(int memberIndex, String member, long offset, String program) {
        public FunctionPointer {
            Objects.requireNonNull(member, "member");
            Objects.requireNonNull(program, "program");
        }
    }

    public StructOpsSpec {
        Objects.requireNonNull(structName, "structName");
        data = data.clone();
        functionPointers = List.copyOf(functionPointers);
    }

    /** The initial bytes (a copy). */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The program member {@code member} names, if it names one. */
    public Optional<String> program(String member) {
        return functionPointers.stream().filter(f -> f.member().equals(member)).map(FunctionPointer::program)
                .findFirst();
    }

    /** Whether {@code program} is set in some member of this struct. */
    public boolean uses(String program) {
        return functionPointers.stream().anyMatch(f -> f.program().equals(program));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StructOpsSpec s && s.structName.equals(structName) && s.typeId == typeId
                && java.util.Arrays.equals(s.data, data) && s.functionPointers.equals(functionPointers)
                && s.link == link;
    }

    @Override
    public int hashCode() {
        return Objects.hash(structName, typeId, java.util.Arrays.hashCode(data), functionPointers, link);
    }

    @Override
    public String toString() {
        return "StructOpsSpec[struct " + structName + (link ? ", link" : "") + ", " + functionPointers.size()
                + " programs]";
    }
}
