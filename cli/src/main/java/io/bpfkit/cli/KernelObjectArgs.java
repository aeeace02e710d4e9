package io.bpfkit.cli;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.KernelException;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Errno;
import io.bpfkit.sys.Fd;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of {@code bpfkit prog|map|link}: a verb, {@code --json} (or {@code -j}) and
 * the object: {@code ID}, {@code id ID}, {@code pinned PATH} or a path with a slash; and
 * opening that object with a check that it is of the kind asked for (a pinned program is not
 * a map), with errors a user can act on.
 */
record KernelObjectArgs(String verb, boolean json, int id, String path) {
    /** The kinds: how bpftool names them in fdinfo ({@code prog_type}, ...) and in messages. */
    enum Kind {
        PROG("prog", "program"), MAP("map", "map"), LINK("link", "link");

        final String word;
        final String noun;

        Kind(String word, String noun) {
            this.word = word;
            this.noun = noun;
        }
    }

    /** Thrown for bad arguments (exit code {@link Main#USAGE}) and for failures (exit code {@link Main#FAILED}). */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        final int exitCode;

        Failure(int exitCode, String message) {
            super(message, null, false, false);
            this.exitCode = exitCode;
        }
    }

    boolean hasObject() {
        return id != 0 || path != null;
    }

    /**
     * Parses {@code VERB [--json] [ID | id ID | pinned PATH | PATH]}.
     *
     * @param objectVerbs the verbs that take an object ({@code show}, {@code dump})
     * @param requiredVerbs the verbs that must have one ({@code dump})
     */
    static KernelObjectArgs parse(List<String> args, String usage, List<String> verbs, List<String> objectVerbs,
                                  List<String> requiredVerbs) throws Failure {
        boolean json = false;
        List<String> rest = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--json") || a.equals("-j")) {
                json = true;
            } else if (a.startsWith("-") && !a.matches("-?\\d+")) {
                throw new Failure(Main.USAGE, "unknown option " + a + "; " + usage);
            } else {
                rest.add(a);
            }
        }
        if (rest.isEmpty() || !verbs.contains(rest.getFirst())) {
            throw new Failure(Main.USAGE, usage);
        }
        String verb = rest.getFirst();
        List<String> object = rest.subList(1, rest.size());
        int id = 0;
        String path = null;
        if (object.size() == 2 && object.get(0).equals("id")) {
            id = parseId(object.get(1), usage);
        } else if (object.size() == 2 && object.get(0).equals("pinned")) {
            path = object.get(1);
        } else if (object.size() == 1 && object.getFirst().contains("/")) {
            path = object.getFirst();
        } else if (object.size() == 1) {
            id = parseId(object.getFirst(), usage);
        } else if (!object.isEmpty()) {
            throw new Failure(Main.USAGE, "unexpected arguments " + object + "; " + usage);
        }
        KernelObjectArgs parsed = new KernelObjectArgs(verb, json, id, path);
        if (parsed.hasObject() && !objectVerbs.contains(verb)) {
            throw new Failure(Main.USAGE, "'" + verb + "' takes no object; " + usage);
        }
        if (!parsed.hasObject() && requiredVerbs.contains(verb)) {
            throw new Failure(Main.USAGE, "'" + verb + "' needs an ID or a pinned path; " + usage);
        }
        return parsed;
    }

    private static int parseId(String s, String usage) throws Failure {
        try {
            int id = Integer.parseUnsignedInt(s);
            if (id != 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new Failure(Main.USAGE, "'" + s + "' is not an id (a number from 1) nor a path; " + usage);
    }

    /** Opens the object the arguments name, checked to be a {@code kind}. */
    Fd open(Kind kind) throws Failure {
        Fd fd;
        try {
            if (path != null) {
                fd = Bpf.objGet(path, 0, kind.word);
            } else {
                fd = switch (kind) {
                    case PROG -> Bpf.progGetFdById(id);
                    case MAP -> Bpf.mapGetFdById(id, 0);
                    case LINK -> Bpf.linkGetFdById(id);
                };
            }
        } catch (KernelException e) {
            throw failure(kind, e);
        }
        if (!KernelInfo.hasFdinfoKey(fd, kind.word + "_type")) {
            fd.close();
            throw new Failure(Main.FAILED, path + " is not a " + kind.noun + " (what is pinned there is "
                    + pinnedKind(path) + ")");
        }
        return fd;
    }

    /** What an open failed with, in a sentence that names the object. */
    Failure failure(Kind kind, KernelException e) {
        String what = path != null ? path : kind.noun + " id " + Integer.toUnsignedString(id);
        if (path != null && java.nio.file.Files.exists(java.nio.file.Path.of(path)) && !onBpfFs(path)) {
            return new Failure(Main.FAILED, path + " is not on a bpf file system: only a pinned "
                    + kind.noun + " can be opened by path (mount -t bpf bpf /sys/fs/bpf; bpftool pin)");
        }
        String why = switch (e.errno()) {
            case Errno.ENOENT -> path != null ? "nothing is pinned at " + path : "there is no " + kind.noun + " with id " + Integer.toUnsignedString(id);
            case Errno.EPERM, Errno.EACCES -> "permission denied: reading " + kind.noun
                    + "s by id or path needs root (CAP_SYS_ADMIN, or CAP_BPF for some)";
            default -> e.getMessage();
        };
        return new Failure(Main.FAILED, e.errno() == Errno.ENOENT ? why : what + ": " + why);
    }

    /** Whether {@code path} exists on a bpf file system (where the kernel pins objects). */
    private static boolean onBpfFs(String path) {
        try {
            return java.nio.file.Files.getFileStore(java.nio.file.Path.of(path)).type().equals("bpf");
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** What a pinned object is, from its fdinfo, for the message that it is not the kind asked for. */
    private static String pinnedKind(String path) {
        try (Fd any = Bpf.objGet(path, 0, "object")) {
            for (Kind k : Kind.values()) {
                if (KernelInfo.hasFdinfoKey(any, k.word + "_type")) {
                    return "a " + k.noun;
                }
            }
            return "another kind of BPF object";
        } catch (BpfException e) {
            return "unknown";
        }
    }

    /** Runs a command body, turning failures into a line on {@code err} and an exit code. */
    static int run(String command, java.io.PrintStream err, Body body) {
        try {
            return body.run();
        } catch (Failure f) {
            err.println("bpfkit " + command + ": " + f.getMessage());
            return f.exitCode;
        } catch (BpfException e) {
            err.println("bpfkit " + command + ": " + e.getMessage());
            return Main.FAILED;
        }
    }

    interface Body {
        int run() throws Failure;
    }
}
