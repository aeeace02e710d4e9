package io.bpfkit.processor;

import com.google.auto.service.AutoService;
import com.palantir.javapoet.ClassName;
import io.bpfkit.api.annotation.BpfObject;
import io.bpfkit.api.annotation.Global;
import io.bpfkit.api.annotation.Map;
import io.bpfkit.api.annotation.Program;
import io.bpfkit.api.pmu.HwPmu;
import io.bpfkit.check.BindingCheck;
import io.bpfkit.check.Declared;
import io.bpfkit.check.HandleKind;
import io.bpfkit.check.Problem;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.perfevent.PerfEventParser;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.annotation.processing.SupportedOptions;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.tools.Diagnostic;

/**
 * bpfkit's annotation processor: for each {@code @BpfObject} interface, reads its methods,
 * checks them against the object when it can find it (and says in a note when it cannot), and
 * writes {@code <Interface>Binding}. Option {@code -Abpfkit.objectDir=DIR} names a folder
 * holding the objects.
 *
 * <pre>{@code
 * javac -processorpath bpfkit-processor.jar:bpfkit-runtime.jar:bpfkit-api.jar:javapoet.jar \
 *       -cp bpfkit-api.jar:bpfkit-runtime.jar -Abpfkit.objectDir=build/bpf -d out SysCount.java
 * }</pre>
 */
@AutoService(Processor.class)
@SupportedAnnotationTypes({"io.bpfkit.api.annotation.*", "io.bpfkit.api.pmu.HwPmu", "io.bpfkit.api.codec.Size",
        "io.bpfkit.api.codec.Unsigned"})
@SupportedOptions(BindingProcessor.OBJECT_DIR)
public final class BindingProcessor extends AbstractProcessor {
    /** The option naming a folder of objects to check against. */
    public static final String OBJECT_DIR = "bpfkit.objectDir";

    private static final String MAP_PACKAGE = "io.bpfkit.api.map";
    private static final List<Class<? extends Annotation>> METHOD_ANNOTATIONS = List.of(Map.class, Program.class,
            Global.class, HwPmu.class);

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    /**
     * Interfaces put off to a later round because they name types not generated yet (by another
     * processor), by qualified name: elements do not carry over from one round to the next.
     */
    private final Set<String> deferred = new LinkedHashSet<>();

    /**
     * Binds each {@code @BpfObject} interface of this round and those deferred from earlier
     * ones. Returns false: the annotations stay visible to other processors.
     */
    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        List<TypeElement> interfaces = new ArrayList<>();
        for (String name : deferred) {
            TypeElement e = processingEnv.getElementUtils().getTypeElement(name);
            if (e != null) {
                interfaces.add(e);
            }
        }
        deferred.clear();
        for (Element e : round.getElementsAnnotatedWith(BpfObject.class)) {
            if (e.getKind() != ElementKind.INTERFACE) {
                error(e, mirror(e, BpfObject.class), null, "@BpfObject belongs on an interface");
            } else {
                interfaces.add((TypeElement) e);
            }
        }
        for (TypeElement iface : interfaces) {
            Set<String> missing = MissingTypes.of(iface);
            if (!missing.isEmpty()) {
                if (round.processingOver()) {
                    error(iface, mirror(iface, BpfObject.class), null, "no binding written: "
                            + String.join(", ", missing) + " never came to exist (a missing import, or a type another"
                            + " annotation processor did not generate)");
                } else {
                    deferred.add(iface.getQualifiedName().toString());
                }
                continue;
            }
            try {
                bind(iface);
            } catch (RuntimeException | LinkageError | StackOverflowError bug) {
                // a bug here must not take javac down: it becomes an error on the interface
                error(iface, mirror(iface, BpfObject.class), null, "bpfkit's annotation processor failed on this "
                        + "interface (a bug in bpfkit, please report it): " + bug + " at "
                        + Arrays.stream(bug.getStackTrace()).limit(5).map(String::valueOf)
                                .collect(Collectors.joining(" < ")));
            }
        }
        return false;
    }

    private void bind(TypeElement iface) {
        BindingModel model = read(iface);
        if (model == null) {
            return;
        }
        checkAgainstObject(model);
        try {
            BindingWriter.write(model).writeTo(processingEnv.getFiler());
        } catch (IOException ex) {
            error(iface, null, null, "cannot write " + model.binding() + ": " + ex.getMessage());
        }
    }

    // ---- reading the interface ------------------------------------------------------------

    /** The model, or null after reporting why the interface cannot be bound. */
    private BindingModel read(TypeElement iface) {
        BpfObject obj = iface.getAnnotation(BpfObject.class);
        boolean ok = true;
        if (!isAutoCloseable(iface.asType())) {
            error(iface, null, null, "a @BpfObject interface must extend AutoCloseable: closing it closes the "
                    + "loaded object");
            ok = false;
        }
        if (obj.value().isBlank()) {
            error(iface, mirror(iface, BpfObject.class), "value", "@BpfObject needs the object's class-path resource");
            ok = false;
        }
        ClassName binding = ClassName.get(iface).peerClass(iface.getSimpleName() + "Binding");
        if (iface.getNestingKind().isNested()) {
            binding = ClassName.get(packageName(iface), String.join("_", ClassName.get(iface).simpleNames())
                    + "Binding");
        }
        TypeMapper types = new TypeMapper(binding);
        List<BindingModel.Method> methods = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Element m : iface.getEnclosedElements()) {
            if (m.getKind() != ElementKind.METHOD || m.getModifiers().contains(Modifier.STATIC)
                    || m.getModifiers().contains(Modifier.DEFAULT) || m.getModifiers().contains(Modifier.PRIVATE)) {
                continue;
            }
            ExecutableElement method = (ExecutableElement) m;
            List<Class<? extends Annotation>> present = METHOD_ANNOTATIONS.stream()
                    .filter(a -> method.getAnnotation(a) != null).toList();
            if (present.isEmpty()) {
                if (!isClose(method)) {
                    error(method, null, null, "method " + method.getSimpleName() + " has no bpfkit annotation: use "
                            + "@Map, @Program, @Global or @HwPmu (or make it default)");
                    ok = false;
                }
                continue;
            }
            if (present.size() > 1) {
                error(method, null, null, "method " + method.getSimpleName() + " has " + present.stream()
                        .map(a -> "@" + a.getSimpleName()).toList() + ": one bpfkit annotation per method");
                ok = false;
                continue;
            }
            if (!method.getTypeParameters().isEmpty() || !method.getThrownTypes().isEmpty()) {
                error(method, null, null, "binding methods declare no type parameters and no exceptions");
                ok = false;
                continue;
            }
            try {
                BindingModel.Method read = readMethod(method, present.getFirst(), types);
                if (!names.add(method.getSimpleName().toString()) && !(read.declared() instanceof Declared.Global)) {
                    error(method, null, null, "overloaded binding method " + method.getSimpleName());
                    ok = false;
                }
                methods.add(read);
            } catch (TypeMapper.Refusal r) {
                error(r.element, r.element == method ? mirror(method, present.getFirst()) : null, r.attribute,
                        r.getMessage());
                ok = false;
            }
        }
        if (!ok) {
            return null;
        }
        String objectName = obj.name().isEmpty() ? obj.value().substring(obj.value().lastIndexOf('/') + 1)
                : obj.name();
        return new BindingModel(iface, binding, obj.value(), objectName, methods, types.records());
    }

    private BindingModel.Method readMethod(ExecutableElement m, Class<? extends Annotation> a, TypeMapper types)
            throws TypeMapper.Refusal {
        String method = m.getSimpleName().toString();
        AnnotationMirror am = mirror(m, a);
        TypeMirror ret = m.getReturnType();
        if (a == Global.class) {
            String variable = orDefault(m.getAnnotation(Global.class).value(), method);
            if (isType(ret, MAP_PACKAGE + ".BpfGlobals")) {
                String section = variable.startsWith(".") ? variable : ".bss";
                throw new TypeMapper.Refusal(m, "@Global is one variable; a whole section is a map: @Map(\""
                        + section + "\") BpfGlobals " + method + "()");
            }
            if (m.getParameters().size() == 1 && ret.getKind() == TypeKind.VOID) {
                var p = m.getParameters().getFirst();
                ValueType t = types.map(p.asType(), p, m, "global '" + variable + "'");
                return new BindingModel.Method(m, am, new Declared.Global(method, variable, true, t.ctype()), null,
                        null, t, null);
            }
            if (m.getParameters().isEmpty() && ret.getKind() != TypeKind.VOID) {
                ValueType t = types.map(ret, m, m, "global '" + variable + "'");
                return new BindingModel.Method(m, am, new Declared.Global(method, variable, false, t.ctype()), null,
                        null, t, null);
            }
            throw new TypeMapper.Refusal(m, "@Global methods are getters (T " + method + "()) or setters (void "
                    + method + "(T value))");
        }
        if (!m.getParameters().isEmpty()) {
            throw new TypeMapper.Refusal(m, "@" + a.getSimpleName() + " methods take no parameters");
        }
        if (a == Program.class) {
            if (!isType(ret, "io.bpfkit.api.BpfProgram")) {
                throw new TypeMapper.Refusal(m, "@Program methods return io.bpfkit.api.BpfProgram, not " + ret);
            }
            Program p = m.getAnnotation(Program.class);
            return new BindingModel.Method(m, am, new Declared.Program(method, orDefault(p.value(), method),
                    p.autoAttach()), null, null, null, null);
        }
        if (a == HwPmu.class) {
            if (!isType(ret, "io.bpfkit.api.pmu.PmuCounter")) {
                throw new TypeMapper.Refusal(m, "@HwPmu methods return io.bpfkit.api.pmu.PmuCounter, not " + ret);
            }
            HwPmu h = m.getAnnotation(HwPmu.class);
            if (h.event().isBlank()) {
                throw new TypeMapper.Refusal(m, "@HwPmu needs an event, e.g. event = \"cycles\"");
            }
            if (h.counter() < 0) {
                throw new TypeMapper.Refusal(m, "@HwPmu counter must be 0 or more, not " + h.counter());
            }
            String map = orDefault(h.map(), method);
            checkEvent(m, am, map, h.counter(), "event", h.event());
            if (!h.fallback().isEmpty()) {
                checkEvent(m, am, map, h.counter(), "fallback", h.fallback());
            }
            return new BindingModel.Method(m, am, new Declared.Pmu(method, map, h.event(), h.fallback(),
                    h.counter()), null, null, null, null);
        }
        String mapName = m.getAnnotation(Map.class).value();
        if (mapName.isEmpty()) {
            // a section by default: bss() is .bss, dataCounters() is .data.counters
            mapName = isType(ret, MAP_PACKAGE + ".BpfGlobals") ? "." + BindingCheck.snake(method).replace('_', '.')
                    : BindingCheck.snake(method);
        }
        BindingModel.Handle h = handle(ret, m, mapName, types, false);
        return new BindingModel.Method(m, am, new Declared.MapHandle(method, mapName, h.kind(), ctype(h.key()),
                ctype(h.value()), h.inner() == null ? null : h.inner().declared()), h.kind(), h.key(), h.value(),
                h.inner());
    }

    /**
     * The map handle type {@code t}, with its key, value and (for maps of maps) inner handle
     * types read from its type arguments.
     *
     * @param inner whether {@code t} is the inner maps' handle of a map of maps
     */
    private BindingModel.Handle handle(TypeMirror t, ExecutableElement m, String mapName, TypeMapper types,
            boolean inner) throws TypeMapper.Refusal {
        HandleKind kind = t.getKind() == TypeKind.DECLARED ? handleKind((DeclaredType) t) : null;
        String what = inner ? "the inner maps of map '" + mapName + "'" : "map '" + mapName + "'";
        if (kind == null) {
            throw new TypeMapper.Refusal(m, (inner ? "the inner map handle of map '" + mapName + "' must be"
                    : "@Map methods return") + " a map handle of " + MAP_PACKAGE + " (BpfHashMap, BpfArray, "
                    + "BpfPerCpuArray, BpfRingBufferMap, ...), not " + t);
        }
        if (inner && (kind.hasInner() || kind == HandleKind.GLOBALS)) {
            throw new TypeMapper.Refusal(m, "the inner maps of map '" + mapName + "' cannot be " + kind.handle()
                    + (kind.hasInner() ? ": the kernel nests maps of maps one level deep" : ""));
        }
        List<? extends TypeMirror> args = ((DeclaredType) t).getTypeArguments();
        int expected = (kind.hasKey() ? 1 : 0) + (kind.hasValue() ? 1 : 0) + (kind.hasInner() ? 1 : 0);
        if (args.size() != expected) {
            throw new TypeMapper.Refusal(m, kind.handle() + " needs " + expected + " type arguments");
        }
        ValueType key = kind.hasKey() ? types.map(args.get(0), null, m, what + " key") : null;
        ValueType value = kind.hasValue() ? types.map(args.get(kind.hasKey() ? 1 : 0), null, m, what
                + (kind.hasRecords() ? " records" : " value")) : null;
        for (ValueType v : new ValueType[] {key, value}) {
            if (v != null && v.codec() == null) {
                throw new TypeMapper.Refusal(m, what + ": a " + v.java() + " key or value has no codec; wrap the "
                        + "array in a record");
            }
        }
        BindingModel.Handle in = kind.hasInner() ? handle(args.getLast(), m, mapName, types, true) : null;
        return new BindingModel.Handle(kind, key, value, in);
    }

    private static io.bpfkit.check.CType ctype(ValueType t) {
        return t == null ? null : t.ctype();
    }

    /**
     * Refuses a perf event name no machine accepts (a misspelled built-in event, a bad modifier,
     * malformed {@code pmu/terms/}); notes one that only the counting machine's sysfs resolves.
     */
    private void checkEvent(ExecutableElement m, AnnotationMirror am, String map, int counter, String attribute,
            String event) throws TypeMapper.Refusal {
        if (event.isBlank()) {
            return; // said below, as at run time
        }
        String problem = BindingCheck.eventProblem(map, counter, event);
        if (problem != null) {
            throw new TypeMapper.Refusal(m, attribute, problem);
        }
        if (PerfEventParser.parseOffline(event).isEmpty()) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.NOTE, "bpfkit: perf event '" + event
                    + "' names a PMU of the machine that counts (sysfs): it is resolved when the binding loads", m,
                    am, value(am, attribute));
        }
    }

    private HandleKind handleKind(DeclaredType t) {
        TypeElement e = (TypeElement) t.asElement();
        if (!packageName(e).equals(MAP_PACKAGE)) {
            return null;
        }
        return HandleKind.forHandle(e.getSimpleName().toString());
    }

    // ---- checking against the object ------------------------------------------------------

    private void checkAgainstObject(BindingModel model) {
        TypeElement iface = model.iface();
        ObjectLocator.Found found = new ObjectLocator(processingEnv.getFiler(),
                processingEnv.getOptions().get(OBJECT_DIR)).find(packageName(iface), model.resource());
        if (found == null) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.NOTE, "bpfkit: object '" + model.resource()
                    + "' not found while compiling (class output, class path, source path, -A" + OBJECT_DIR
                    + "): " + model.binding().simpleName() + " checks it when it opens it", iface);
            return;
        }
        BpfObjectSpec spec;
        try {
            spec = BpfObjects.open(found.bytes(), model.objectName());
        } catch (RuntimeException e) {
            error(iface, mirror(iface, BpfObject.class), "value", "cannot open object " + found.where() + ": "
                    + e.getMessage());
            return;
        }
        List<Declared> declared = model.methods().stream().map(BindingModel.Method::declared).toList();
        for (Problem p : BindingCheck.check(spec, declared)) {
            BindingModel.Method m = model.methods().stream().filter(x -> x.declared().method().equals(p.method()))
                    .findFirst().orElseThrow();
            error(m.element(), m.annotation(), p.attribute(), p.message());
        }
    }

    // ---- small helpers --------------------------------------------------------------------

    private boolean isAutoCloseable(TypeMirror t) {
        TypeMirror ac = processingEnv.getElementUtils().getTypeElement("java.lang.AutoCloseable").asType();
        return processingEnv.getTypeUtils().isAssignable(t, ac);
    }

    private static boolean isClose(ExecutableElement m) {
        return m.getSimpleName().contentEquals("close") && m.getParameters().isEmpty()
                && m.getReturnType().getKind() == TypeKind.VOID;
    }

    private static boolean isType(TypeMirror t, String qualifiedName) {
        return t.getKind() == TypeKind.DECLARED
                && ((TypeElement) ((DeclaredType) t).asElement()).getQualifiedName().contentEquals(qualifiedName);
    }

    private static String orDefault(String name, String method) {
        return name.isEmpty() ? BindingCheck.snake(method) : name;
    }

    private static String packageName(Element e) {
        Element x = e;
        while (x.getKind() != ElementKind.PACKAGE) {
            x = x.getEnclosingElement();
        }
        return ((javax.lang.model.element.PackageElement) x).getQualifiedName().toString();
    }

    private static AnnotationMirror mirror(Element e, Class<? extends Annotation> a) {
        for (AnnotationMirror m : e.getAnnotationMirrors()) {
            if (((TypeElement) m.getAnnotationType().asElement()).getQualifiedName().contentEquals(a.getCanonicalName())) {
                return m;
            }
        }
        return null;
    }

    private void error(Element e, AnnotationMirror a, String attribute, String message) {
        processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, message, e, a, value(a, attribute));
    }

    /** The value of {@code attribute} as written in annotation {@code a}, or null. */
    private static AnnotationValue value(AnnotationMirror a, String attribute) {
        AnnotationValue v = null;
        if (a != null && attribute != null) {
            for (var entry : a.getElementValues().entrySet()) {
                if (entry.getKey().getSimpleName().contentEquals(attribute)) {
                    v = entry.getValue();
                }
            }
        }
        return v;
    }
}
