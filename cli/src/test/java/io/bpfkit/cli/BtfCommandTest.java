package io.bpfkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfCHeader;
import io.bpfkit.testing.TestObjects;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bpfkit btf dump FILE [--format raw|c]}. */
class BtfCommandTest {
    @TempDir
    Path dir;

    @Test
    void formatCPrintsTheHeaderOfTheObjectsBtf() throws Exception {
        Path object = TestObjects.path("maps_btf.bpf.o");
        MainTest.Run r = MainTest.run("btf", "dump", object.toString(), "--format", "c");
        assertEquals(0, r.exit(), r.err());
        assertEquals(BtfCHeader.generate(BtfCommand.read(object)), r.out());
        assertTrue(r.out().startsWith("#ifndef __VMLINUX_H__\n"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void formatRawIsTheDefault() {
        String object = TestObjects.path("globals.bpf.o").toString();
        MainTest.Run plain = MainTest.run("btf", "dump", object);
        MainTest.Run raw = MainTest.run("btf", "dump", object, "--format", "raw");
        assertEquals(0, raw.exit(), raw.err());
        assertEquals(plain.out(), raw.out());
        assertTrue(raw.out().startsWith("[1] "), raw.out());
    }

    @Test
    void unknownFormatIsAUsageError() {
        MainTest.Run r = MainTest.run("btf", "dump", "x.o", "--format", "json");
        assertEquals(Main.USAGE, r.exit());
        assertTrue(r.err().contains("--format raw|c"), r.err());
    }

    @Test
    void btfThatCIsCannotDeclareFailsWithTheReason() throws Exception {
        // [1] int; [2] struct self { int x; struct self me; }
        ByteBuffer b = ByteBuffer.allocate(24 + 16 + 12 + 24 + 18).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xEB9F).put((byte) 1).put((byte) 0).putInt(24).putInt(0).putInt(52).putInt(52).putInt(18);
        b.putInt(1).putInt(1 << 24).putInt(4).putInt(1 << 24 | 32);
        b.putInt(5).putInt(4 << 24 | 2).putInt(8);
        b.putInt(10).putInt(1).putInt(0);
        b.putInt(12).putInt(2).putInt(32);
        b.put("\0int\0self\0x\0me\0\0\0\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Path file = dir.resolve("self.btf");
        Files.write(file, b.array());
        Btf.parse(java.lang.foreign.MemorySegment.ofArray(b.array())); // valid BTF, just not C
        MainTest.Run r = MainTest.run("btf", "dump", file.toString(), "--format", "c");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().startsWith("bpfkit: " + file + ": section .BTF: type [2] contains itself by value"), r.err());
    }
}
