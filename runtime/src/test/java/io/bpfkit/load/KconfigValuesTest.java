package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.LoadException;
import io.bpfkit.core.CoreTarget;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.GlobalVariable;
import io.bpfkit.object.MapSpec;
import io.bpfkit.testing.TestObjects;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** .kconfig values written as libbpf writes them, from a config text of the test's own (no kernel). */
class KconfigValuesTest {
    private static final BpfObjectSpec SPEC = BpfObjects.open(TestObjects.path("kconfig_types.bpf.o"));

    private static MapSpec kconfig() {
        return SPEC.maps().stream().filter(m -> m.definition() == MapSpec.Definition.KCONFIG).findFirst().orElseThrow();
    }

    private static ByteBuffer values(String config) {
        KernelConfig cfg = KernelConfig.parse(Path.of("test-config"), config);
        byte[] data = new ExternResolver(SPEC, CoreTarget::kernel, () -> cfg).kconfigData(kconfig());
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int at(String name) {
        GlobalVariable v = kconfig().variable(name).orElseThrow();
        return (int) v.offset();
    }

    @Test
    void everyTypeIsWrittenAsLibbpfWritesIt() {
        ByteBuffer b = values("""
                CONFIG_BPFKIT_CHAR=m
                CONFIG_BPFKIT_TRI=m
                CONFIG_BPFKIT_BOOL=y
                CONFIG_BPFKIT_U8=255
                CONFIG_BPFKIT_S16=-3
                CONFIG_BPFKIT_U64=0x123456789a
                CONFIG_BPFKIT_STR="abcdef"
                """);
        assertEquals('m', b.get(at("CONFIG_BPFKIT_CHAR")));
        assertEquals(2, b.getInt(at("CONFIG_BPFKIT_TRI")));
        assertEquals(1, b.get(at("CONFIG_BPFKIT_BOOL")));
        assertEquals((byte) 255, b.get(at("CONFIG_BPFKIT_U8")));
        assertEquals(-3, b.getShort(at("CONFIG_BPFKIT_S16")));
        assertEquals(0x123456789aL, b.getLong(at("CONFIG_BPFKIT_U64")));
        int s = at("CONFIG_BPFKIT_STR");
        assertEquals("abc", new String(new byte[] {b.get(s), b.get(s + 1), b.get(s + 2)}));
        assertEquals(0, b.get(s + 3));
    }

    @Test
    void absentWeakOptionsAreZero() {
        ByteBuffer b = values("CONFIG_OTHER=y\n");
        for (int i = 0; i < b.capacity(); i++) {
            assertEquals(0, b.get(i));
        }
    }

    @Test
    void valuesThatDoNotFitTheirTypeAreErrors() {
        assertError("CONFIG_BPFKIT_U8=256\n", "CONFIG_BPFKIT_U8", "does not fit");
        assertError("CONFIG_BPFKIT_BOOL=m\n", "CONFIG_BPFKIT_BOOL", "tristate");
        assertError("CONFIG_BPFKIT_TRI=5\n", "CONFIG_BPFKIT_TRI", "integer type");
        assertError("CONFIG_BPFKIT_STR=y\n", "CONFIG_BPFKIT_STR", "char");
        assertError("CONFIG_BPFKIT_U64=\"x\"\n", "CONFIG_BPFKIT_U64", "char array");
        assertError("CONFIG_BPFKIT_U64=12k\n", "CONFIG_BPFKIT_U64", "not an integer");
        assertError("CONFIG_BPFKIT_S16=40000\n", "CONFIG_BPFKIT_S16", "does not fit");
    }

    private static void assertError(String config, String name, String why) {
        LoadException e = assertThrows(LoadException.class, () -> values(config));
        assertTrue(e.getMessage().contains(name) && e.getMessage().contains(why), e.getMessage());
    }
}
