/**
 * USDT (user-level statically defined tracing) probes, in pure Java: the SystemTap notes of an
 * ELF file ({@code .note.stapsdt}, adjusted by {@code .stapsdt.base} and mapped to file offsets
 * through the loadable segments, as libbpf's {@code usdt.c} does), the argument location specs
 * of x86-64 and arm64 ({@code -4@%eax}, {@code 8@-16(%rbp)}, {@code -4@[sp, 96]}), and the
 * {@code struct __bpf_usdt_spec} values that objects written for libbpf's {@code usdt.bpf.h}
 * read at run time.
 *
 * <pre>{@code
 * UsdtNotes notes = UsdtNotes.read(Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/lib/server/libjvm.so"));
 * for (UsdtProbe p : notes.find("hotspot", "gc__begin")) {
 *     byte[] spec = UsdtSpec.encode(p.arguments(notes.arch()), 0, notes.order(), UsdtSpec.Layout.LIBBPF_1_1);
 * }
 * }</pre>
 */
package io.bpfkit.usdt;
