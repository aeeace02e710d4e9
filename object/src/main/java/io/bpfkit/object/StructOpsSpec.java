package io.bpfkit.object;

import io.bpfkit.api.LoadException;
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
 * // before load: another program for a member, other initial bytes (e.g. another name)
 * map.structOps(ops.withProgram("cong_avoid", "my_cong_avoid").withData(bytes));
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

    /**
     * The same with the member {@code member}, which names a program in the object, set to
     * {@code program} instead (a struct_ops program of the object; the loader checks it). A
     * program no created map uses any more is then not loaded, as with libbpf.
     *
     * @throws LoadException when {@code member} names no program here
     */
    public StructOpsSpec withProgram(String member, String program) {
        Objects.requireNonNull(program, "program");
        List<FunctionPointer> out = new java.util.ArrayList<>(functionPointers.size());
        boolean found = false;
        for (FunctionPointer f : functionPointers) {
            if (f.member().equals(member)) {
                out.add(new FunctionPointer(f.memberIndex(), f.member(), f.offset(), program));
                found = true;
            } else {
                out.add(f);
            }
        }
        if (!found) {
            throw new LoadException("struct " + structName, "member '" + member + "' names no program"
                    + " in the object; the members that do: " + functionPointers.stream().map(FunctionPointer::member)
                    .toList());
        }
        return new StructOpsSpec(structName, typeId, data, out, link);
    }

    /**
     * The same with other initial bytes (the data members the loader copies into the kernel's
     * value, e.g. a congestion control's {@code name}); function pointer bytes are ignored.
     *
     * @throws LoadException when {@code data} is not the struct's size
     */
    public StructOpsSpec withData(byte[] data) {
        if (data.length != this.data.length) {
            throw new LoadException("struct " + structName, "is " + this.data.length
                    + " bytes; the new data is " + data.length);
        }
        return new StructOpsSpec(structName, typeId, data, functionPointers, link);
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
