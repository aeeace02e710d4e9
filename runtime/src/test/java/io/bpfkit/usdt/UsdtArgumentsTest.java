package io.bpfkit.usdt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.usdt.UsdtArgument.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Argument specs as gcc writes them into stapsdt notes, read as libbpf's usdt.c reads them. */
class UsdtArgumentsTest {

    private static UsdtArgument x86(String spec) {
        List<UsdtArgument> args = UsdtArguments.parse(spec, UsdtArch.X86_64, "test:probe");
        assertEquals(1, args.size());
        return args.getFirst();
    }

    private static UsdtArgument arm64(String spec) {
        List<UsdtArgument> args = UsdtArguments.parse(spec, UsdtArch.ARM64, "test:probe");
        assertEquals(1, args.size());
        return args.getFirst();
    }

    @Test
    void x86RegistersConstantsAndMemory() {
        assertEquals(new UsdtArgument(4, true, Kind.REGISTER, "eax", 80, 0), x86("-4@%eax"));
        assertEquals(new UsdtArgument(8, false, Kind.MEMORY, "rbp", 32, -16), x86("8@-16(%rbp)"));
        assertEquals(new UsdtArgument(8, false, Kind.MEMORY, "rsp", 152, 0), x86("8@(%rsp)"));
        assertEquals(new UsdtArgument(4, false, Kind.MEMORY, "rsp", 152, 8), x86("4@8(%rsp)"));
        assertEquals(new UsdtArgument(4, true, Kind.CONSTANT, null, 0, 5), x86("-4@$5"));
        assertEquals(new UsdtArgument(8, true, Kind.CONSTANT, null, 0, -1234567890123L), x86("-8@$-1234567890123"));
        assertEquals(new UsdtArgument(1, false, Kind.CONSTANT, null, 0, 1), x86("1@$1"));
    }

    /** Every alias of a register is the same pt_regs slot (offsets of the kernel's struct pt_regs). */
    @ParameterizedTest
    @CsvSource({"rax,eax,ax,al,80", "rbx,ebx,bx,bl,40", "rcx,ecx,cx,cl,88", "rdx,edx,dx,dl,96",
        "rsi,esi,si,sil,104", "rdi,edi,di,dil,112", "rbp,ebp,bp,bpl,32", "rsp,esp,sp,spl,152",
        "r8,r8d,r8w,r8b,72", "r9,r9d,r9w,r9b,64", "r10,r10d,r10w,r10b,56", "r11,r11d,r11w,r11b,48",
        "r12,r12d,r12w,r12b,24", "r13,r13d,r13w,r13b,16", "r14,r14d,r14w,r14b,8", "r15,r15d,r15w,r15b,0"})
    void x86RegisterAliases(String r64, String r32, String r16, String r8, int offset) {
        for (String r : List.of(r64, r32, r16, r8)) {
            assertEquals(offset, x86("8@%" + r).registerOffset(), r);
        }
        assertEquals(128, x86("8@%rip").registerOffset());
    }

    @Test
    void sizesAndSignednessGiveTheBitShift() {
        assertEquals(56, x86("1@%al").bitShift());
        assertEquals(48, x86("-2@%cx").bitShift());
        assertEquals(32, x86("4@%r8d").bitShift());
        assertEquals(0, x86("-8@%r9").bitShift());
        assertEquals(-1, x86("-1@%al").widen(0xffL));
        assertEquals(255, x86("1@%al").widen(0x12345678_9abcdeffL));
        assertEquals(-30000, x86("-2@%cx").widen(0xffff_ffff_ffff_8ad0L));
        assertEquals(4_000_000_000L, x86("4@%eax").widen(4_000_000_000L | 0xdead_0000_0000_0000L));
    }

    @Test
    void severalArgumentsAsHotspotWritesThem() {
        List<UsdtArgument> args = UsdtArguments.parse("-4@%edi -1@%sil 1@%dl -2@%cx 2@%r8w -4@%r9d 4@8(%rsp) "
                + "-8@16(%rsp) 8@24(%rsp)", UsdtArch.X86_64, "bpfkit:registers");
        assertEquals(9, args.size());
        assertEquals(new UsdtArgument(8, true, Kind.MEMORY, "rsp", 152, 16), args.get(7));
        assertEquals(List.of(), UsdtArguments.parse("", UsdtArch.X86_64, "p:n"));
        assertEquals(List.of(), UsdtArguments.parse(":", UsdtArch.X86_64, "p:n"));
    }

    @Test
    void arm64Forms() {
        assertEquals(new UsdtArgument(8, true, Kind.REGISTER, "x4", 32, 0), arm64("-8@x4"));
        assertEquals(new UsdtArgument(4, true, Kind.REGISTER, "w1", 8, 0), arm64("-4@w1"));
        assertEquals(new UsdtArgument(4, true, Kind.MEMORY, "sp", 248, 96), arm64("-4@[sp, 96]"));
        assertEquals(new UsdtArgument(8, false, Kind.MEMORY, "x0", 0, 0), arm64("8@[x0]"));
        assertEquals(new UsdtArgument(8, false, Kind.MEMORY, "x29", 232, -16), arm64("8@[x29,-16]"));
        assertEquals(new UsdtArgument(4, false, Kind.CONSTANT, null, 0, 5), arm64("4@5"));
        assertEquals(new UsdtArgument(4, true, Kind.CONSTANT, null, 0, -9), arm64("-4@-9"));
        List<UsdtArgument> two = UsdtArguments.parse("-4@[sp, 96] 8@x30", UsdtArch.ARM64, "p:n");
        assertEquals(List.of(new UsdtArgument(4, true, Kind.MEMORY, "sp", 248, 96),
                new UsdtArgument(8, false, Kind.REGISTER, "x30", 240, 0)), two);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "8@%foo|unknown x86_64 register 'foo'",
        "3@%eax|size 3 is not 1, 2, 4 or 8 bytes",
        "x@%eax|size 'x' is not a number",
        "8%eax|expected SIZE@LOCATION",
        "8@|no location after '@'",
        "8@$abc|'abc' is not a number",
        "1@-96(%rbp,%rax,8)|scale-index-base operands are not supported",
        "8@-16[%rbp]|expected $CONSTANT, %REGISTER or OFFSET(%REGISTER)",
        "8@-16(rbp)|expected a %REGISTER inside the parentheses"})
    void malformedX86SpecsNameTheProbeAndTheArgument(String spec, String problem) {
        ObjectFormatException e = assertThrows(ObjectFormatException.class,
                () -> UsdtArguments.parse("-4@%edi " + spec, UsdtArch.X86_64, "hotspot:gc__begin"));
        assertTrue(e.getMessage().contains("USDT probe hotspot:gc__begin, argument #1 '" + spec + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertEquals(".note.stapsdt", e.section());
    }

    @Test
    void malformedArm64Specs() {
        ObjectFormatException e = assertThrows(ObjectFormatException.class,
                () -> UsdtArguments.parse("8@x31", UsdtArch.ARM64, "p:n"));
        assertTrue(e.getMessage().contains("unknown arm64 register 'x31'"), e.getMessage());
        e = assertThrows(ObjectFormatException.class, () -> UsdtArguments.parse("8@[sp, 8", UsdtArch.ARM64, "p:n"));
        assertTrue(e.getMessage().contains("expected [REGISTER] or [REGISTER, OFFSET]"), e.getMessage());
    }

    @Test
    void moreThanTwelveArgumentsIsAnError() {
        String thirteen = "8@%rax ".repeat(13).strip();
        ObjectFormatException e = assertThrows(ObjectFormatException.class,
                () -> UsdtArguments.parse(thirteen, UsdtArch.X86_64, "p:n"));
        assertTrue(e.getMessage().contains("more than 12 arguments"), e.getMessage());
    }

    /** The spec value as usdt.bpf.h (libbpf 1.1) lays out struct __bpf_usdt_spec. */
    @Test
    void specValueLayout() {
        byte[] v = UsdtSpec.encode(UsdtArguments.parse("-4@%eax 8@-16(%rbp) -2@$-7", UsdtArch.X86_64, "p:n"), 0x1122L,
                ByteOrder.LITTLE_ENDIAN, UsdtSpec.Layout.LIBBPF_1_1);
        assertEquals(208, v.length);
        ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, b.getLong(0));
        assertEquals(1, b.getInt(8)); // BPF_USDT_ARG_REG
        assertEquals(80, b.getShort(12));
        assertEquals(1, b.get(14));
        assertEquals(32, b.get(15));
        assertEquals(-16, b.getLong(16));
        assertEquals(2, b.getInt(24)); // BPF_USDT_ARG_REG_DEREF
        assertEquals(32, b.getShort(28));
        assertEquals(0, b.get(30));
        assertEquals(0, b.get(31));
        assertEquals(-7, b.getLong(32));
        assertEquals(0, b.getInt(40)); // BPF_USDT_ARG_CONST
        assertEquals(48, b.get(47));
        assertArrayEquals(new byte[16 * 9], java.util.Arrays.copyOfRange(v, 48, 192));
        assertEquals(0x1122L, b.getLong(192));
        assertEquals(3, b.getShort(200));
    }

    /** libbpf 1.7's layout: 24-byte argument specs, arg_type an 8-bit bit field, reg_off at 14. */
    @Test
    void specValueLayoutOfLibbpf17() {
        assertEquals(UsdtSpec.Layout.LIBBPF_1_7, UsdtSpec.Layout.forValueSize(304));
        assertEquals(UsdtSpec.Layout.LIBBPF_1_1, UsdtSpec.Layout.forValueSize(208));
        assertEquals(null, UsdtSpec.Layout.forValueSize(200));
        byte[] v = UsdtSpec.encode(UsdtArguments.parse("-4@%eax 8@-16(%rbp)", UsdtArch.X86_64, "p:n"), 7,
                ByteOrder.LITTLE_ENDIAN, UsdtSpec.Layout.LIBBPF_1_7);
        assertEquals(304, v.length);
        ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, b.get(8));
        assertEquals(0, b.get(9));
        assertEquals(0, b.getShort(10)); // idx_reg_off, scale_bitshift
        assertEquals(80, b.getShort(14));
        assertEquals(1, b.get(16));
        assertEquals(32, b.get(17));
        assertEquals(-16, b.getLong(24));
        assertEquals(2, b.get(32));
        assertEquals(32, b.getShort(38));
        assertEquals(7, b.getLong(288));
        assertEquals(2, b.getShort(296));
    }
}
