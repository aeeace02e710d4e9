package io.bpfkit.cli;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.VerifierException;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.ProgramSpec;
import io.bpfkit.uapi.ProgInfo;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bpfkit load [--json] FILE...}: opens each object and loads its programs one at a time
 * (no attach), so that one refused program does not hide the others; prints per program its
 * kernel id and translated size, or the verifier's reason with the source line.
 */
final class LoadCommand {
    private LoadCommand() {
    }

    record Outcome(String file, String program, boolean ok, int id, int xlatedInsns, int verifiedInsns,
                   String error, String sourceLine) {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        boolean json = false;
        List<String> files = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--json")) {
                json = true;
            } else if (a.startsWith("-")) {
                err.println("bpfkit load: unknown option " + a + "; usage: bpfkit load [--json] FILE...");
                return Main.USAGE;
            } else {
                files.add(a);
            }
        }
        if (files.isEmpty()) {
            err.println("usage: bpfkit load [--json] FILE...");
            return Main.USAGE;
        }
        List<Outcome> outcomes = new ArrayList<>();
        boolean failed = false;
        for (String f : files) {
            BpfObjectSpec spec;
            try {
                spec = BpfObjects.open(java.nio.file.Path.of(f));
            } catch (BpfException e) {
                err.println("bpfkit: " + e.getMessage());
                failed = true;
                continue;
            }
            for (ProgramSpec p : spec.programs()) {
                if (p.isSubprogram() || !p.autoload()) {
                    continue;
                }
                Outcome o = loadOne(f, spec, p.name());
                failed |= !o.ok();
                outcomes.add(o);
            }
        }
        out.print(json ? json(outcomes) : table(outcomes));
        out.flush();
        return failed ? Main.FAILED : Main.OK;
    }

    /** Loads the object with only {@code program} set to load. */
    private static Outcome loadOne(String file, BpfObjectSpec spec, String program) {
        BpfObjectSpec one = spec.copy();
        for (ProgramSpec p : one.programs()) {
            if (!p.isSubprogram()) {
                p.autoload(p.name().equals(program));
            }
        }
        try (LoadedObject obj = BpfLoader.load(one)) {
            LoadedProgram lp = obj.program(program).orElseThrow();
            ProgInfo info = lp.info();
            return new Outcome(file, program, true, info.id(), info.xlatedProgLen() / 8, info.verifiedInsns(), null, null);
        } catch (VerifierException e) {
            // A cause says why the failing instruction is what it is (a poisoned CO-RE relocation).
            String why = e.getCause() == null ? "" : "; " + firstLine(e.getCause().getMessage());
            return new Outcome(file, program, false, 0, 0, 0, firstLine(e.getMessage()) + why, e.sourceLine());
        } catch (BpfException e) {
            return new Outcome(file, program, false, 0, 0, 0, firstLine(e.getMessage()), null);
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static String table(List<Outcome> outcomes) {
        StringBuilder sb = new StringBuilder();
        for (Outcome o : outcomes) {
            sb.append(o.file()).append(": ").append(o.program()).append(": ");
            if (o.ok()) {
                sb.append("ok, id ").append(o.id()).append(", ").append(o.xlatedInsns()).append(" insns translated, ")
                        .append(o.verifiedInsns()).append(" verified\n");
            } else {
                sb.append("FAILED: ").append(o.error()).append('\n');
                if (o.sourceLine() != null) {
                    sb.append("    at ").append(o.sourceLine()).append('\n');
                }
            }
        }
        return sb.toString();
    }

    static String json(List<Outcome> outcomes) {
        Json j = new Json().beginObject().field("schema", "bpfkit.load/1").name("programs").beginArray();
        for (Outcome o : outcomes) {
            j.beginObject().field("file", o.file()).field("name", o.program()).field("ok", o.ok());
            if (o.ok()) {
                j.field("id", o.id()).field("xlatedInstructions", o.xlatedInsns())
                        .field("verifiedInstructions", o.verifiedInsns());
            } else {
                j.field("error", o.error()).field("sourceLine", o.sourceLine());
            }
            j.endObject();
        }
        return j.endArray().endObject() + "\n";
    }
}
