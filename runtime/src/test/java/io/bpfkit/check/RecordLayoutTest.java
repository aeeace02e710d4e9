package io.bpfkit.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.bpfkit.check.JavaType.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The layout rules on records described by hand, as neither javac nor reflection would: what
 * each Java type becomes, and what is refused, with which message and origin. The processor
 * and the runtime adapt their types to these descriptions; what they give for real records is
 * the processor's {@code RecordLayoutTableTest}.
 */
class RecordLayoutTest {
    private static final JavaType INT = new JavaType.Primitive(Kind.INT, false);

    /** A record whose components can be added after it is made (to make one contain itself). */
    private record Shape(String simpleName, String cStruct, List<Component> components) implements RecordShape {
        Shape(String simpleName, String cStruct, Component... components) {
            this(simpleName, cStruct, new ArrayList<>(List.of(components)));
        }

        public String name() {
            return "t." + simpleName;
        }

        public Object origin() {
            return "record " + simpleName;
        }
    }

    private static RecordShape.Component component(String name, JavaType type, Integer size, boolean unsigned) {
        return new RecordShape.Component(name, type, size, unsigned, "component " + name);
    }

    private static LayoutException refused(RecordShape.Component c) {
        return assertThrows(LayoutException.class, () -> RecordLayout.struct(new Shape("R", null, c)));
    }

    @Test
    void typesBecomeTheirCTypes() {
        Shape inner = new Shape("Inner", "inner_s", component("a", new JavaType.Primitive(Kind.SHORT, true), null,
                true));
        CType.Struct s = RecordLayout.struct(new Shape("Outer", null,
                component("b", new JavaType.Primitive(Kind.BYTE, false), null, false),
                component("l", new JavaType.Primitive(Kind.LONG, false), null, true),
                component("f", new JavaType.Primitive(Kind.FLOAT, false), null, false),
                component("z", new JavaType.Primitive(Kind.BOOLEAN, false), null, false),
                component("name", new JavaType.Text(), 5, false),
                component("hist", new JavaType.ArrayOf(INT), 3, true),
                component("flags", new JavaType.ArrayOf(new JavaType.Primitive(Kind.BOOLEAN, false)), 2, false),
                component("in", new JavaType.RecordOf(inner), null, false),
                component("ins", new JavaType.ArrayOf(new JavaType.RecordOf(inner)), 2, false)));
        CType.Struct in = CType.struct("Inner", "inner_s", CType.member("a", CType.integer(2, true)));
        assertEquals(CType.struct("Outer", null,
                CType.member("b", CType.integer(1, false)), CType.member("l", CType.integer(8, true)),
                CType.member("f", CType.floating(4)), CType.member("z", CType.bool()),
                CType.member("name", CType.chars(5)), CType.member("hist", CType.array(CType.integer(4, true), 3)),
                CType.member("flags", CType.array(CType.bool(), 2)), CType.member("in", in),
                CType.member("ins", CType.array(in, 2))), s);
        assertEquals(CType.integer(8, true), RecordLayout.ctype(new JavaType.Primitive(Kind.LONG, true), null, true,
                "map 'x' value", null));
    }

    @Test
    void refusalsSayWhatWouldDoAndWhere() {
        LayoutException e = refused(component("a", new JavaType.ArrayOf(INT), null, false));
        assertEquals("R.a is an array: give its fixed length with @Size(N)", e.getMessage());
        assertEquals("component a", e.origin());
        assertEquals("R.s is a String (a C char[N]): give its length with @Size(N)",
                refused(component("s", new JavaType.Text(), null, false)).getMessage());
        assertEquals("R.s: @Size(0) must be at least 1",
                refused(component("s", new JavaType.Text(), 0, false)).getMessage());
        assertEquals("R.i: @Size is for arrays and strings, not int",
                refused(component("i", INT, 4, false)).getMessage());
        assertEquals("R.f: @Unsigned is for integers, not double",
                refused(component("f", new JavaType.Primitive(Kind.DOUBLE, false), null, true)).getMessage());
        assertEquals("R.fs[]: @Unsigned is for integers, not float", refused(component("fs",
                new JavaType.ArrayOf(new JavaType.Primitive(Kind.FLOAT, false)), 2, true)).getMessage());
        assertEquals("R.s: @Unsigned is for integers, not a String",
                refused(component("s", new JavaType.Text(), 4, true)).getMessage());
        assertEquals("R.c has type char, which has no C layout (a Java char is not a C char: use byte)",
                refused(component("c", new JavaType.Primitive(Kind.CHAR, false), null, false)).getMessage());
        assertEquals("R.boxes has type Integer[]: arrays of byte, short, int, long, float, double, boolean or "
                + "records have a C layout", refused(component("boxes",
                new JavaType.ArrayOf(new JavaType.Primitive(Kind.INT, true)), 2, false)).getMessage());
        assertEquals("R.o has type java.lang.Object, which has no C layout: use a primitive (or its box), a record, "
                + "or a @Size array or String", refused(component("o", new JavaType.Unsupported("java.lang.Object"),
                null, false)).getMessage());
    }

    @Test
    void recordsThatCannotBeStructs() {
        Shape loop = new Shape("Loop", null, component("x", INT, null, false));
        loop.components().add(component("next", new JavaType.RecordOf(loop), null, false));
        LayoutException e = assertThrows(LayoutException.class, () -> RecordLayout.struct(loop));
        assertEquals("record Loop contains itself: a C struct cannot", e.getMessage());
        assertEquals("component next", e.origin());
        e = assertThrows(LayoutException.class, () -> RecordLayout.struct(new Shape("Empty", null)));
        assertEquals("record Empty has no components: C has no empty structs", e.getMessage());
        assertEquals("record Empty", e.origin());
        e = assertThrows(LayoutException.class, () -> RecordLayout.struct(new Shape("Named", "struct x",
                component("a", INT, null, false))));
        assertEquals("record Named: @CStruct(\"struct x\") is not a C struct tag (letters, digits and _, not "
                + "starting with a digit)", e.getMessage());
    }

    /** A record met twice (two members, or an array and a member) is the same struct both times. */
    @Test
    void aRecordUsedTwiceIsNotAContainmentLoop() {
        Shape point = new Shape("Point", null, component("x", INT, null, false));
        CType.Struct s = RecordLayout.struct(new Shape("Line", null,
                component("from", new JavaType.RecordOf(point), null, false),
                component("to", new JavaType.RecordOf(point), null, false)));
        assertEquals(s.members().get(0).type(), s.members().get(1).type());
        assertSame(CType.Struct.class, s.members().get(1).type().getClass());
        assertEquals(4, s.members().get(1).offset());
    }
}
