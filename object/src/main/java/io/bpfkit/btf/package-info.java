/**
 * BTF, the BPF Type Format, read in pure Java: {@link io.bpfkit.btf.Btf} parses a {@code .BTF}
 * section or a kernel BTF file into {@link io.bpfkit.btf.BtfType} records,
 * {@link io.bpfkit.btf.BtfExt} parses {@code .BTF.ext} (function info, line info, CO-RE
 * relocations), {@link io.bpfkit.btf.BtfDump} prints BTF exactly as
 * {@code bpftool btf dump file} does, and {@link io.bpfkit.btf.BtfCHeader} writes it as a C
 * header ({@code vmlinux.h}) as {@code bpftool btf dump file ... format c} does.
 *
 * <p>Nothing here makes a system call: this package is part of the open phase and works on
 * bytes the caller has read. Malformed input of any kind is reported as an
 * {@link io.bpfkit.api.ObjectFormatException} naming the section ({@code .BTF} or
 * {@code .BTF.ext}) and the byte offset within it.
 *
 * <pre>{@code
 * Btf btf = Btf.parse(MemorySegment.ofArray(Files.readAllBytes(Path.of("/sys/kernel/btf/vmlinux"))));
 * int id = btf.findId("task_struct", BtfKind.STRUCT).orElseThrow();
 * System.out.println(btf.resolveSize(id) + " bytes");
 * System.out.print(BtfDump.dumpType(btf, id));
 * }</pre>
 */
package io.bpfkit.btf;
