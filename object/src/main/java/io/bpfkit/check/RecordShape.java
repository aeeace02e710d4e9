package io.bpfkit.check;

import java.util.List;

/**
 * A Java record as C layout rules see it: its names, its {@code @CStruct} name and its
 * components in declaration order. Components are asked for only while the record is laid out,
 * so a record that contains itself is refused rather than described forever.
 *
 * <pre>{@code
 * // record Sample(@Unsigned int cpu, @Size(16) String comm)
 * List.of(new RecordShape.Component("cpu", new JavaType.Primitive(JavaType.Kind.INT, false), null, true, null),
 *         new RecordShape.Component("comm", new JavaType.Text(), 16, false, null));
 * }</pre>
 */
public interface RecordShape {

    /** The binary or qualified name, which tells records apart. */
    String name();

    /** The simple name, as messages and the struct's Java name use it. */
    String simpleName();

    /** The {@code @CStruct} name, or null without the annotation. */
    String cStruct();

    /** The components in declaration order. */
    List<Component> components();

    /** Where to report a problem with the record as a whole (the processor's element), or null. */
    Object origin();

    /**
     * One component and the layout annotations at its use.
     *
     * @param size the {@code @Size} value on the component, its type or its array's element type, or null
     * @param unsigned whether {@code @Unsigned} is on any of those
     * @param origin where to report a problem with it (the processor's element), or null
     */
    record Component(String name, JavaType type, Integer size, boolean unsigned, Object origin) {
    }
}
