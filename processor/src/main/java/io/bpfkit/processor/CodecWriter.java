package io.bpfkit.processor;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeSpec;
import io.bpfkit.check.CType;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Writes the codec of one record: constant offsets, one memory access per scalar member,
 * padding zeroed, nested records through their own codecs; no reflection, no lookups.
 */
final class CodecWriter {
    static final ClassName CODEC = ClassName.get("io.bpfkit.api.codec", "Codec");
    static final ClassName CODECS = ClassName.get("io.bpfkit.api.codec", "Codecs");
    static final ClassName BINDINGS = ClassName.get("io.bpfkit.binding", "Bindings");
    static final ClassName CTYPE = ClassName.get("io.bpfkit.check", "CType");

    private CodecWriter() {
    }

    static TypeSpec write(RecordModel r) {
        CodeBlock.Builder type = CodeBlock.builder().add("$T.struct($S, $L", CTYPE, r.struct().javaName(),
                r.struct().cName() == null ? "null" : CodeBlock.of("$S", r.struct().cName())).indent().indent();
        for (RecordModel.Component c : r.components()) {
            type.add(",\n$T.member($S, $L)", CTYPE, c.name(), c.type().ctypeCode());
        }
        type.add(")").unindent().unindent();
        TypeSpec.Builder b = TypeSpec.classBuilder(r.codec())
                .addJavadoc("The C struct layout of {@link $T}: $L bytes, generated.\n", r.type(), r.struct().size())
                .addModifiers(Modifier.STATIC, Modifier.FINAL)
                .addSuperinterface(ParameterizedTypeName.get(CODEC, r.type()))
                .addField(FieldSpec.builder(CTYPE.nestedClass("Struct"), "TYPE", Modifier.STATIC, Modifier.FINAL)
                        .initializer(type.build()).build())
                .addField(FieldSpec.builder(r.codec(), "INSTANCE", Modifier.STATIC, Modifier.FINAL)
                        .initializer("new $T()", r.codec()).build())
                .addField(FieldSpec.builder(MemoryLayout.class, "LAYOUT", Modifier.PRIVATE, Modifier.STATIC,
                        Modifier.FINAL).initializer("TYPE.layout()").build())
                .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build())
                .addMethod(MethodSpec.methodBuilder("layout").addAnnotation(Override.class)
                        .addModifiers(Modifier.PUBLIC).returns(MemoryLayout.class).addStatement("return LAYOUT")
                        .build())
                .addMethod(MethodSpec.methodBuilder("size").addAnnotation(Override.class)
                        .addModifiers(Modifier.PUBLIC).returns(long.class)
                        .addStatement("return $LL", r.struct().size()).build());
        List<MethodSpec> helpers = new ArrayList<>();
        b.addMethod(encode(r));
        b.addMethod(decode(r, helpers));
        b.addMethods(helpers);
        b.addMethod(MethodSpec.methodBuilder("toString").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(String.class).addStatement("return $S", r.codec().simpleName() + "[" + r.struct().spelling()
                        + ", " + r.struct().size() + " bytes]").build());
        return b.build();
    }

    private static MethodSpec encode(RecordModel r) {
        String rec = r.struct().javaName();
        MethodSpec.Builder m = MethodSpec.methodBuilder("encode").addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC).addParameter(r.type(), "value")
                .addParameter(MemorySegment.class, "target").addParameter(long.class, "offset")
                .addStatement("$T.nonNull(value, $S)", BINDINGS, rec);
        long at = 0;
        for (RecordModel.Component c : r.components()) {
            if (c.offset() > at) {
                m.addStatement("$T.zero(target, offset + $LL, $LL)", BINDINGS, at, c.offset() - at);
            }
            String where = rec + "." + c.name();
            CodeBlock get = CodeBlock.of("value.$L()", c.name());
            CodeBlock off = CodeBlock.of("offset + $LL", c.offset());
            CType t = c.type().ctype();
            switch (t) {
                case CType.Chars ch -> m.addStatement("$T.encodeCString($T.member($L, $S), $L, target, $L)", CODECS,
                        BINDINGS, get, where, ch.length(), off);
                case CType.Array a when a.element() instanceof CType.Struct -> {
                    RecordModel inner = c.element().record();
                    String local = c.name() + "Elements";
                    m.addStatement("$T[] $L = $T.checked($L, $L, $S)", inner.type(), local, BINDINGS, get, a.length(),
                                    where)
                            .beginControlFlow("for (int i = 0; i < $L; i++)", a.length())
                            .addStatement("$T.INSTANCE.encode($T.member($L, i, $S), target, $L + i * $LL)",
                                    inner.codec(), BINDINGS, local, where, off, a.element().size())
                            .endControlFlow();
                }
                case CType.Array a -> m.addStatement("$T.write($L, $L, $S, target, $L)", BINDINGS, get, a.length(),
                        where, off);
                case CType.Struct s -> m.addStatement("$T.INSTANCE.encode($T.member($L, $S), target, $L)",
                        c.type().record().codec(), BINDINGS, get, where, off);
                case CType.Bool bl -> m.addStatement("target.set($T.JAVA_BYTE, $L, $L ? (byte) 1 : (byte) 0)",
                        ValueLayout.class, off, unboxed(c.type(), get, where));
                default -> m.addStatement("target.set($T.$L, $L, $L)", ValueLayout.class, layout(t), off,
                        unboxed(c.type(), get, where));
            }
            at = c.offset() + t.size();
        }
        if (r.struct().size() > at) {
            m.addStatement("$T.zero(target, offset + $LL, $LL)", BINDINGS, at, r.struct().size() - at);
        }
        return m.build();
    }

    private static CodeBlock unboxed(ValueType t, CodeBlock get, String where) {
        return t.isPrimitive() ? get : CodeBlock.of("$T.member($L, $S)", BINDINGS, get, where);
    }

    private static MethodSpec decode(RecordModel r, List<MethodSpec> helpers) {
        MethodSpec.Builder m = MethodSpec.methodBuilder("decode").addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC).returns(r.type()).addParameter(MemorySegment.class, "source")
                .addParameter(long.class, "offset");
        CodeBlock.Builder args = CodeBlock.builder();
        boolean first = true;
        for (RecordModel.Component c : r.components()) {
            CodeBlock off = CodeBlock.of("offset + $LL", c.offset());
            CType t = c.type().ctype();
            CodeBlock read = switch (t) {
                case CType.Chars ch -> CodeBlock.of("$T.decodeCString(source, $L, $L)", CODECS, off, ch.length());
                case CType.Array a when a.element() instanceof CType.Struct -> {
                    RecordModel inner = c.element().record();
                    String name = "decode" + Character.toUpperCase(c.name().charAt(0)) + c.name().substring(1);
                    helpers.add(MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                            .returns(ArrayTypeName.of(inner.type()))
                            .addParameter(MemorySegment.class, "source").addParameter(long.class, "offset")
                            .addStatement("$T[] a = new $T[$L]", inner.type(), inner.type(), a.length())
                            .beginControlFlow("for (int i = 0; i < a.length; i++)")
                            .addStatement("a[i] = $T.INSTANCE.decode(source, offset + i * $LL)", inner.codec(),
                                    a.element().size())
                            .endControlFlow()
                            .addStatement("return a").build());
                    yield CodeBlock.of("$L(source, $L)", name, off);
                }
                case CType.Array a -> CodeBlock.of("$T.$L(source, $L, $L)", BINDINGS, arrayReader(a.element()), off,
                        a.length());
                case CType.Struct s -> CodeBlock.of("$T.INSTANCE.decode(source, $L)", c.type().record().codec(), off);
                case CType.Bool bl -> CodeBlock.of("source.get($T.JAVA_BYTE, $L) != 0", ValueLayout.class, off);
                default -> CodeBlock.of("source.get($T.$L, $L)", ValueLayout.class, layout(t), off);
            };
            args.add(first ? "\n$L" : ",\n$L", read);
            first = false;
        }
        return m.addStatement("return new $T($L)", r.type(), args.build()).build();
    }

    /** The unaligned value layout of a scalar: members of packed or per-CPU data may be unaligned. */
    static String layout(CType t) {
        return switch (t) {
            case CType.Int i -> switch (i.bytes()) {
                case 1 -> "JAVA_BYTE";
                case 2 -> "JAVA_SHORT_UNALIGNED";
                case 4 -> "JAVA_INT_UNALIGNED";
                default -> "JAVA_LONG_UNALIGNED";
            };
            case CType.Floating f -> f.bytes() == 4 ? "JAVA_FLOAT_UNALIGNED" : "JAVA_DOUBLE_UNALIGNED";
            case CType.Bool b -> "JAVA_BYTE";
            default -> throw new IllegalArgumentException("not a scalar: " + t);
        };
    }

    private static String arrayReader(CType element) {
        return switch (element) {
            case CType.Int i -> switch (i.bytes()) {
                case 1 -> "bytes";
                case 2 -> "shorts";
                case 4 -> "ints";
                default -> "longs";
            };
            case CType.Floating f -> f.bytes() == 4 ? "floats" : "doubles";
            case CType.Bool b -> "booleans";
            default -> throw new IllegalArgumentException("no array reader for " + element);
        };
    }
}
