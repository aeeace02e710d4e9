package io.bpfkit.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The open phase makes no system call and needs no native access, and this test is what makes
 * that a fact of the build rather than a convention: it reads every class of the module
 * {@code io.bpfkit.object} and fails on any reference to the native linker, a symbol lookup,
 * library loading or a restricted method (the operations {@code --enable-native-access} guards).
 */
class ObjectModulePurityTest {
    /** Classes whose every use means a downcall, an upcall or a native library. */
    private static final Set<String> NATIVE_CLASSES = Set.of(
            "java/lang/foreign/Linker", "java/lang/foreign/Linker$Option", "java/lang/foreign/SymbolLookup",
            "java/lang/foreign/FunctionDescriptor");

    /** Restricted or native-loading methods, as owner.name. */
    private static final Set<String> NATIVE_METHODS = Set.of(
            "java/lang/foreign/MemorySegment.reinterpret",
            "java/lang/foreign/AddressLayout.withTargetLayout",
            "java/lang/System.load", "java/lang/System.loadLibrary",
            "java/lang/Runtime.load", "java/lang/Runtime.loadLibrary",
            "java/lang/ModuleLayer$Controller.enableNativeAccess");

    @Test
    void noClassOfTheObjectModuleReachesNativeCode() throws IOException {
        Path classes = classesOf(BpfLayouts.class);
        List<String> found = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                found.addAll(nativeReferences(Files.readAllBytes(f)));
                scanned++;
            }
        }
        assertTrue(scanned > 100, "scanned only " + scanned + " classes under " + classes);
        assertEquals(List.of(), found, "the object module must make no native call");
    }

    @Test
    void theModuleRequiresNothingButTheApi() throws IOException {
        Path classes = classesOf(BpfLayouts.class);
        ModuleDescriptor d;
        try (var in = Files.newInputStream(classes.resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertEquals("io.bpfkit.object", d.name());
        List<String> requires = d.requires().stream().map(ModuleDescriptor.Requires::name).sorted().toList();
        assertEquals(List.of("io.bpfkit.api", "java.base"), requires);
    }

    /** The scan itself finds a downcall: a class made here that asks for the native linker. */
    @Test
    void theScanFindsALinkerCall() {
        ClassDesc linker = ClassDesc.of("java.lang.foreign.Linker");
        byte[] offender = ClassFile.of().build(ClassDesc.of("io.bpfkit.uapi.Offender"), cb -> cb.withMethodBody(
                "link", MethodTypeDesc.of(linker), ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC,
                code -> code.invokestatic(linker, "nativeLinker", MethodTypeDesc.of(linker), true).areturn()));
        List<String> found = nativeReferences(offender);
        assertFalse(found.isEmpty());
        assertTrue(found.getFirst().startsWith("io/bpfkit/uapi/Offender"), found.toString());
        byte[] reinterpret = ClassFile.of().build(ClassDesc.of("io.bpfkit.uapi.Widener"), cb -> cb.withMethodBody(
                "widen", MethodTypeDesc.of(ClassDesc.of("java.lang.foreign.MemorySegment"),
                        ClassDesc.of("java.lang.foreign.MemorySegment")),
                ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC,
                code -> code.aload(0).ldc(8L).invokeinterface(ClassDesc.of("java.lang.foreign.MemorySegment"),
                        "reinterpret", MethodTypeDesc.of(ClassDesc.of("java.lang.foreign.MemorySegment"),
                                java.lang.constant.ConstantDescs.CD_long)).areturn()));
        assertEquals(List.of("io/bpfkit/uapi/Widener: java/lang/foreign/MemorySegment.reinterpret"),
                nativeReferences(reinterpret));
    }

    static List<String> nativeReferences(byte[] classBytes) {
        ClassModel model = ClassFile.of().parse(classBytes);
        String self = model.thisClass().asInternalName();
        List<String> out = new ArrayList<>();
        for (PoolEntry e : model.constantPool()) {
            if (e instanceof MemberRefEntry m) {
                String ref = m.owner().asInternalName() + "." + m.name().stringValue();
                if (NATIVE_METHODS.contains(ref)) {
                    out.add(self + ": " + ref);
                }
            } else if (e instanceof ClassEntry c && NATIVE_CLASSES.contains(c.asInternalName())) {
                out.add(self + ": " + c.asInternalName());
            }
        }
        return out;
    }

    private static Path classesOf(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
