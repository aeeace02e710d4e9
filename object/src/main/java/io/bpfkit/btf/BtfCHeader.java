package io.bpfkit.btf;

import io.bpfkit.api.ObjectFormatException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A C header declaring every type of a BTF blob: {@code vmlinux.h} when the BTF is the
 * kernel's. The text is what {@code bpftool btf dump file FILE format c unsorted} prints
 * (bpftool 7.5, libbpf 1.5): the same declarations in the same order, so a BPF program
 * compiles against either and gets the same layouts. Every struct and union is declared with
 * clang's {@code preserve_access_index} (unless the includer defines
 * {@code BPF_NO_PRESERVE_ACCESS_INDEX}), so field accesses become CO-RE relocations.
 *
 * <p>After the types come the kernel's kfuncs: for every FUNC that a {@code bpf_kfunc} decl
 * tag marks (pahole writes those for kernels since 6.11), an
 * {@code extern RET NAME(PARAMS) __weak __ksym;} prototype, in the order of the tags, inside
 * {@code #ifndef BPF_NO_KFUNC_PROTOTYPES}. A program calls a kfunc without declaring it; one
 * that declares kfuncs itself, with other types, defines {@code BPF_NO_KFUNC_PROTOTYPES}
 * before the include. {@code __ksym} and {@code __weak} are defined unless the includer has,
 * exactly as libbpf's {@code bpf_helpers.h} defines them, so including both is no redefinition.
 *
 * <p>How C is made to agree with BTF: types are written so that each is complete before it is
 * embedded (forward declarations where a pointer is enough); structs whose offsets contradict
 * natural alignment get {@code __attribute__((packed))}; holes are spelled out as unnamed
 * bitfields ({@code long: 64;}); enums of one or eight bytes get a {@code mode} attribute;
 * different types with one name are told apart by a {@code ___N} suffix (which CO-RE ignores
 * when matching names).
 *
 * <p>Malformed BTF (a type that contains itself, a function used as a member type, a kfunc
 * whose type is not a prototype, nesting deeper than a thousand types) is an
 * {@link io.bpfkit.api.ObjectFormatException}.
 *
 * <pre>{@code
 * Btf vmlinux = KernelBtf.vmlinux();
 * BtfCHeader header = BtfCHeader.of(vmlinux);
 * Files.writeString(Path.of("vmlinux.h"), header.text());
 * header.declaredName(vmlinux.findId("task_struct", BtfKind.STRUCT).orElseThrow()); // "struct task_struct"
 * }</pre>
 */
public final class BtfCHeader {
    private static final String PROLOGUE = """
            #ifndef __VMLINUX_H__
            #define __VMLINUX_H__

            #ifndef BPF_NO_PRESERVE_ACCESS_INDEX
            #pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
            #endif

            #ifndef __ksym
            #define __ksym __attribute__((section(".ksyms")))
            #endif

            #ifndef __weak
            #define __weak __attribute__((weak))
            #endif

            """;
    /** The decl tag pahole (1.27 on, for kernels since 6.11) puts on every kfunc of the kernel BTF. */
    static final String KFUNC_TAG = "bpf_kfunc";
    private static final String EPILOGUE = """
            #ifndef BPF_NO_PRESERVE_ACCESS_INDEX
            #pragma clang attribute pop
            #endif

            #endif /* __VMLINUX_H__ */
            """;

    private final Btf btf;
    private final String text;
    private final CTypeNames names;

    private BtfCHeader(Btf btf, String text, CTypeNames names) {
        this.btf = btf;
        this.text = text;
        this.names = names;
    }

    /**
     * Writes the header of a BTF file (raw BTF, such as {@code /sys/kernel/btf/vmlinux}, or an
     * ELF object's {@code .BTF}) to standard output. The build makes the test objects'
     * {@code vmlinux.h} with it, before the command line ({@code bpfkit btf dump FILE --format c},
     * the same header) has been built.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java io.bpfkit.btf.BtfCHeader BTF_FILE");
            System.exit(2);
        }
        try {
            OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
            of(BtfFiles.read(Path.of(args[0]))).write(out);
            out.flush();
        } catch (ObjectFormatException e) {
            System.err.println("bpfkit: " + e.inFile(args[0]).getMessage());
            System.exit(1);
        }
    }

    /**
     * Writes the header for every type of {@code btf} (for split BTF, the base's types too,
     * as bpftool does).
     *
     * @throws io.bpfkit.api.ObjectFormatException when the BTF cannot be written as C
     */
    public static BtfCHeader of(Btf btf) {
        Objects.requireNonNull(btf, "btf");
        StringBuilder out = new StringBuilder(estimatedSize(btf));
        out.append(PROLOGUE);
        CTypeWriter writer = new CTypeWriter(btf, out);
        // Both passes over every type call a method per CHUNK types: a cold JVM compiles a
        // called method after a hundred-odd calls, a running loop only after ~60,000 turns.
        for (int id = 1, n = btf.typeCount(); id < n; id += CHUNK) {
            dumpTypes(writer, id, Math.min(n, id + CHUNK));
        }
        kfuncPrototypes(btf, writer, out);
        out.append(EPILOGUE);
        return new BtfCHeader(btf, out.toString(), writer.names());
    }

    /**
     * The prototypes of the kfuncs, in a block the includer can switch off. Written for any BTF
     * (empty when it tags no kfunc), as bpftool does for a whole-file dump.
     */
    private static void kfuncPrototypes(Btf btf, CTypeWriter writer, StringBuilder out) {
        out.append("\n/* BPF kfuncs */\n#ifndef BPF_NO_KFUNC_PROTOTYPES\n");
        for (int id = 1, n = btf.typeCount(); id < n; id += CHUNK) {
            kfuncPrototypes(btf, writer, id, Math.min(n, id + CHUNK));
        }
        out.append("#endif\n\n");
    }

    private static final int CHUNK = 16;

    private static void dumpTypes(CTypeWriter writer, int from, int to) {
        for (int id = from; id < to; id++) {
            writer.dumpType(id);
        }
    }

    private static void kfuncPrototypes(Btf btf, CTypeWriter writer, int from, int to) {
        for (int id = from; id < to; id++) {
            if (btf.rawKind(id) == Btf.K_DECL_TAG
                    && btf.type(id) instanceof BtfType.DeclTag tag
                    && tag.componentIndex() == -1 // a tag on the function, not on one of its parameters
                    && tag.name().equals(KFUNC_TAG)
                    && btf.type(tag.type()) instanceof BtfType.Func func) {
                writer.kfuncPrototype(func);
            }
        }
    }

    /** The header for {@code btf}: {@code of(btf).text()}. */
    public static String generate(Btf btf) {
        return of(btf).text();
    }

    /** The header's text. */
    public String text() {
        return text;
    }

    /** Writes the header as UTF-8 ({@code out} is not closed). */
    public void write(OutputStream out) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * How the header spells a named struct, union, enum, forward declaration or typedef, with
     * its {@code ___N} suffix if it got one: {@code "struct file"}, {@code "union bpf_attr"},
     * {@code "enum pid_type"}, {@code "u32"}. Empty for anonymous types and kinds the header
     * does not declare by name.
     */
    public Optional<String> declaredName(int id) {
        String given = names.givenName(id);
        if (given == null || given.isEmpty()) {
            return Optional.empty();
        }
        return switch (btf.kind(id)) {
            case STRUCT -> Optional.of("struct " + given);
            case UNION -> Optional.of("union " + given);
            case ENUM, ENUM64 -> Optional.of("enum " + given);
            case FWD -> Optional.of((((BtfType.Fwd) btf.type(id)).union() ? "union " : "struct ") + given);
            case TYPEDEF -> Optional.of(given);
            default -> Optional.empty();
        };
    }

    /** vmlinux's header is about 30 bytes per type. */
    private static int estimatedSize(Btf btf) {
        return (int) Math.min(1L << 28, 64L * 1024 + 32L * btf.typeCount());
    }
}
