package io.bpfkit.usdt;

/**
 * The architectures whose USDT argument specs bpfkit reads, with the offsets of their registers
 * in the kernel's {@code struct pt_regs} (what a uprobe program's context points to).
 */
public enum UsdtArch {
    /** x86-64: {@code -4@%eax}, {@code 8@-16(%rbp)}, {@code -4@$5}. */
    X86_64(62),
    /** arm64: {@code -4@x0}, {@code 8@[sp, 96]}, {@code 4@5}. */
    ARM64(183);

    private final int machine;

    UsdtArch(int machine) {
        this.machine = machine;
    }

    /** The ELF {@code e_machine} value. */
    public int machine() {
        return machine;
    }

    /** The architecture of ELF machine {@code machine}, or null when bpfkit does not read its specs. */
    public static UsdtArch forMachine(int machine) {
        for (UsdtArch a : values()) {
            if (a.machine == machine) {
                return a;
            }
        }
        return null;
    }

    /** The architecture this JVM runs on, or null. */
    public static UsdtArch host() {
        return switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> ARM64;
            default -> null;
        };
    }

    /**
     * The offset of register {@code name} in {@code struct pt_regs}, or -1 when this architecture
     * has no such register. x86-64 takes every alias of a register ({@code rax}, {@code eax},
     * {@code ax}, {@code al}); arm64 takes {@code x0}..{@code x30}, {@code w0}..{@code w30} and
     * {@code sp}.
     */
    public int registerOffset(String name) {
        return switch (this) {
            case X86_64 -> x86Offset(name);
            case ARM64 -> arm64Offset(name);
        };
    }

    // struct pt_regs on x86-64: r15 r14 r13 r12 bp bx r11 r10 r9 r8 ax cx dx si di orig_ax ip cs flags sp ss
    private static final String[][] X86_REGS = {
        {"r15", "r15d", "r15w", "r15b"}, {"r14", "r14d", "r14w", "r14b"}, {"r13", "r13d", "r13w", "r13b"},
        {"r12", "r12d", "r12w", "r12b"}, {"rbp", "ebp", "bp", "bpl"}, {"rbx", "ebx", "bx", "bl"},
        {"r11", "r11d", "r11w", "r11b"}, {"r10", "r10d", "r10w", "r10b"}, {"r9", "r9d", "r9w", "r9b"},
        {"r8", "r8d", "r8w", "r8b"}, {"rax", "eax", "ax", "al"}, {"rcx", "ecx", "cx", "cl"},
        {"rdx", "edx", "dx", "dl"}, {"rsi", "esi", "si", "sil"}, {"rdi", "edi", "di", "dil"},
        {}, {"rip", "eip"}, {}, {}, {"rsp", "esp", "sp", "spl"},
    };

    private static int x86Offset(String name) {
        for (int i = 0; i < X86_REGS.length; i++) {
            for (String alias : X86_REGS[i]) {
                if (alias.equals(name)) {
                    return i * 8;
                }
            }
        }
        return -1;
    }

    // struct user_pt_regs on arm64: regs[31], sp, pc, pstate
    private static int arm64Offset(String name) {
        if (name.equals("sp")) {
            return 31 * 8;
        }
        if (name.length() >= 2 && (name.charAt(0) == 'x' || name.charAt(0) == 'w')) {
            String digits = name.substring(1);
            if (digits.chars().allMatch(Character::isDigit) && digits.length() <= 2
                    && (digits.length() == 1 || digits.charAt(0) != '0')) {
                int n = Integer.parseInt(digits);
                if (n < 31) {
                    return n * 8;
                }
            }
        }
        return -1;
    }
}
