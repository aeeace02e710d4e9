package io.bpfkit.api;

/**
 * The kernel's verifier refused a program. Carries the complete verifier log, the index of the
 * instruction it stopped at (when the log names one) and the C source line of that
 * instruction from the program's BTF line info.
 *
 * <pre>{@code
 * catch (VerifierException e) {
 *     System.err.println(e.sourceLine());   // "counter.bpf.c:42: *value += 1;"
 *     System.err.println(e.log());
 * }
 * }</pre>
 */
public final class VerifierException extends KernelException {
    private static final long serialVersionUID = 1L;

    private final String program;
    private final String log;
    private final int instruction;
    private final String sourceLine;

    /**
     * @param program the program's name
     * @param errno the errno of BPF_PROG_LOAD
     * @param errnoName its name
     * @param log the complete verifier log
     * @param instruction the failing instruction index, or -1 when the log names none
     * @param sourceLine {@code file:line: text} of that instruction, or null
     */
    public VerifierException(String program, int errno, String errnoName, String log, int instruction,
                             String sourceLine) {
        super("BPF_PROG_LOAD of program '" + program + "'", errno, errnoName,
                summary(log, instruction, sourceLine));
        this.program = program;
        this.log = log;
        this.instruction = instruction;
        this.sourceLine = sourceLine;
    }

    private static String summary(String log, int instruction, String sourceLine) {
        StringBuilder sb = new StringBuilder("the verifier refused it");
        if (instruction >= 0) {
            sb.append(" at instruction ").append(instruction);
        }
        if (sourceLine != null) {
            sb.append(" (").append(sourceLine).append(')');
        }
        String last = lastLine(log);
        if (!last.isEmpty()) {
            sb.append(": ").append(last);
        }
        sb.append("\n--- verifier log ---\n").append(log.isEmpty() ? "(empty)" : log.stripTrailing());
        return sb.toString();
    }

    /** The most telling line: the last non-statistics line of the log. */
    private static String lastLine(String log) {
        String[] lines = log.strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = lines[i].strip();
            if (!l.isEmpty() && !l.startsWith("processed ") && !l.startsWith("verification time")
                    && !l.startsWith("stack depth") && !l.startsWith("-- END PROG LOAD LOG --")) {
                return l;
            }
        }
        return "";
    }

    public String program() {
        return program;
    }

    /** The complete verifier log. */
    public String log() {
        return log;
    }

    /** The instruction the verifier stopped at, or -1. */
    public int instruction() {
        return instruction;
    }

    /** {@code file:line: source text} of the failing instruction, or null when unknown. */
    public String sourceLine() {
        return sourceLine;
    }
}
