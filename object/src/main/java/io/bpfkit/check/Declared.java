package io.bpfkit.check;

import java.util.Objects;

/**
 * One element a binding interface declares, as the annotation processor read it: what the
 * method is called, what it names in the object and the Java types it expects. The processor
 * checks these against the object while compiling; the generated binding keeps them as
 * constants and checks them again when it opens an object, with {@link BindingCheck} both
 * times.
 */
public sealed interface Declared {

    /** The interface method, e.g. {@code counts}. */
    String method();

    /**
     * {@code @Map}: a typed handle on map {@code map} (for {@link HandleKind#GLOBALS}, on the
     * global data section {@code map}, e.g. {@code .bss}).
     *
     * @param key the key type; null for handles without a key type (arrays, queues, ...)
     * @param value the value type (for {@link HandleKind#hasRecords() ring buffers}, the records'); null for
     *     handles without one (ring buffers, maps of maps, ...)
     * @param inner for maps of maps, the handle of the inner maps; null otherwise
     */
    record MapHandle(String method, String map, HandleKind kind, CType key, CType value, Inner inner)
            implements Declared {
        public MapHandle {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(map, "map");
            Objects.requireNonNull(kind, "kind");
            if (kind.hasInner() != (inner != null)) {
                throw new IllegalArgumentException(kind.handle() + (inner == null ? " needs" : " has no")
                        + " an inner map handle");
            }
        }

        /** A handle on a map that is not a map of maps. */
        public MapHandle(String method, String map, HandleKind kind, CType key, CType value) {
            this(method, map, kind, key, value, null);
        }

        /**
         * The handle a map of maps gives for its inner maps, checked against the object's inner
         * map template.
         */
        public record Inner(HandleKind kind, CType key, CType value) {
            public Inner {
                Objects.requireNonNull(kind, "kind");
                if (kind.hasInner() || kind == HandleKind.GLOBALS) {
                    throw new IllegalArgumentException(kind.handle() + " cannot be an inner map handle");
                }
            }
        }
    }

    /** {@code @Program}: the loaded program {@code program}, attached on load when asked. */
    record Program(String method, String program, boolean autoAttach) implements Declared {
        public Program {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(program, "program");
        }
    }

    /** {@code @Global}: reads ({@code setter} false) or writes variable {@code variable}. */
    record Global(String method, String variable, boolean setter, CType type) implements Declared {
        public Global {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(variable, "variable");
            Objects.requireNonNull(type, "type");
        }
    }

    /** {@code @HwPmu}: counter {@code counter} of PERF_EVENT_ARRAY map {@code map}. */
    record Pmu(String method, String map, String event, String fallback, int counter) implements Declared {
        public Pmu {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(map, "map");
            Objects.requireNonNull(event, "event");
        }
    }
}
