package io.bpfkit.processor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.annotation.processing.Filer;
import javax.tools.FileObject;
import javax.tools.JavaFileManager;
import javax.tools.StandardLocation;

/**
 * Finds a binding's object while compiling: in the folder of option {@code bpfkit.objectDir},
 * then as a resource in the class output (Maven copies resources there before compiling), the
 * class path and the source path.
 */
final class ObjectLocator {
    /** The object's bytes and where they were found. */
    record Found(byte[] bytes, String where) {
    }

    private static final List<JavaFileManager.Location> LOCATIONS = List.of(StandardLocation.CLASS_OUTPUT,
            StandardLocation.CLASS_PATH, StandardLocation.SOURCE_PATH);

    private final Filer filer;
    private final String objectDir;

    ObjectLocator(Filer filer, String objectDir) {
        this.filer = filer;
        this.objectDir = objectDir;
    }

    /**
     * @param pkg the interface's package
     * @param resource as {@code @BpfObject} gives it: relative to {@code pkg}, or absolute
     * @return the object, or null when it is nowhere
     */
    Found find(String pkg, String resource) {
        String relative = resource.startsWith("/") ? resource.substring(1) : pkg.replace('.', '/')
                + (pkg.isEmpty() ? "" : "/") + resource;
        if (objectDir != null && !objectDir.isBlank()) {
            Path dir = Path.of(objectDir);
            for (Path p : List.of(dir.resolve(relative), dir.resolve(Path.of(relative).getFileName()))) {
                if (Files.isRegularFile(p)) {
                    try {
                        return new Found(Files.readAllBytes(p), p.toString());
                    } catch (IOException e) {
                        // unreadable: look further
                    }
                }
            }
        }
        int slash = relative.lastIndexOf('/');
        String resPkg = slash < 0 ? "" : relative.substring(0, slash).replace('/', '.');
        String name = relative.substring(slash + 1);
        for (JavaFileManager.Location loc : LOCATIONS) {
            try {
                FileObject f = filer.getResource(loc, resPkg, name);
                try (InputStream in = f.openInputStream()) {
                    return new Found(in.readAllBytes(), f.toUri().toString());
                }
            } catch (IOException | IllegalArgumentException | UnsupportedOperationException e) {
                // not in this location
            }
        }
        return null;
    }
}
