/**
 * bpfkit's open phase, in pure Java: the ELF reader ({@code elf}), BTF ({@code btf}), the object
 * spec edited between open and load ({@code object}), CO-RE relocation ({@code core}), the checks
 * a binding's declarations pass at compile time and at load ({@code check}), perf event names
 * ({@code perfevent}), kernel constants ({@code uapi}), USDT probe notes ({@code usdt}) and the static linker ({@code linker}).
 *
 * <p>No system call and no native access: nothing here links a native function, so this module
 * needs no {@code --enable-native-access}, and the annotation processor, which runs inside javac,
 * depends on it alone. {@code ObjectModulePurityTest} fails the build if a class gains a downcall
 * or another restricted method.
 */
module io.bpfkit.object {
    requires transitive io.bpfkit.api;

    exports io.bpfkit.btf;
    exports io.bpfkit.check;
    exports io.bpfkit.core;
    exports io.bpfkit.elf;
    exports io.bpfkit.linker;
    exports io.bpfkit.object;
    exports io.bpfkit.perfevent;
    exports io.bpfkit.uapi;
    exports io.bpfkit.usdt;
}
