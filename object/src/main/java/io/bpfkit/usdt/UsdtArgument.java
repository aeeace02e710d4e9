package io.bpfkit.usdt;

/**
 * Where one USDT argument is at the probe and how wide it is: a constant ({@code -4@$5}), a
 * register ({@code 8@%rax}) or memory at a register plus an offset ({@code -4@-20(%rbp)}).
 *
 * @param size the argument's width in bytes: 1, 2, 4 or 8
 * @param signed whether it is sign-extended to 64 bits (a negative size in the spec)
 * @param kind constant, register, or memory at a register
 * @param register the register's name as the spec writes it, or null for a constant
 * @param registerOffset the register's offset in {@code struct pt_regs}, or 0 for a constant
 * @param value the constant, or the memory offset from the register
 */
public record UsdtArgument(int size, boolean signed, Kind kind, String register, int registerOffset, long value) {

    /** Where the value is; the ordinals are {@code enum __bpf_usdt_arg_type} of {@code usdt.bpf.h}. */
    public enum Kind {
        /** The spec holds the value. */
        CONSTANT,
        /** The value is a register. */
        REGISTER,
        /** The value is in user memory at a register plus {@code value}. */
        MEMORY
    }

    public UsdtArgument {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("USDT argument size " + size + " is not 1, 2, 4 or 8");
        }
    }

    /** The bits to clear (and, if signed, sign-extend) above the value: {@code 64 - 8 * size}. */
    public int bitShift() {
        return 64 - 8 * size;
    }

    /** The value as {@code bpf_usdt_arg} gives it, from the 64 bits read at the location. */
    public long widen(long raw) {
        long shifted = raw << bitShift();
        return signed ? shifted >> bitShift() : shifted >>> bitShift();
    }
}
