package io.bpfkit.gen;

import io.bpfkit.check.BindingCheck;
import java.util.HashSet;
import java.util.Set;

/** Java names for C names, and a set of names already taken in one scope. */
final class Names {
    private static final Set<String> KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte", "case",
            "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends",
            "final", "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int",
            "interface", "long", "native", "new", "package", "private", "protected", "public", "return", "short",
            "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try",
            "void", "volatile", "while", "true", "false", "null", "_", "var", "yield", "record", "sealed", "permits");
    /** Methods of Object and of a binding that a component accessor or binding method must not take. */
    private static final Set<String> TAKEN_METHODS = Set.of("hashCode", "toString", "equals", "getClass", "notify",
            "notifyAll", "wait", "clone", "finalize", "close");

    private final Set<String> taken = new HashSet<>();

    Names(Set<String> reserved) {
        taken.addAll(reserved);
    }

    /** {@code name}, or {@code name} with the first free suffix of 2, 3, ... */
    String claim(String name) {
        String n = name;
        for (int i = 2; !taken.add(n); i++) {
            n = name + i;
        }
        return n;
    }

    /** {@code name + suffix} when {@code name} is taken, {@code name} otherwise; either claimed. */
    String claim(String name, String suffix) {
        return taken.contains(name) ? claim(name + suffix) : claim(name);
    }

    /** {@code on_sys_enter} to {@code onSysEnter}, a Java identifier that is no keyword nor Object method. */
    static String camel(String cName) {
        StringBuilder sb = new StringBuilder();
        for (String part : cName.split("[^A-Za-z0-9]+")) {
            if (part.isEmpty()) {
                continue;
            }
            sb.append(sb.isEmpty() ? Character.toLowerCase(part.charAt(0)) : Character.toUpperCase(part.charAt(0)))
                    .append(part, 1, part.length());
        }
        String s = sb.isEmpty() ? "unnamed" : sb.toString();
        if (Character.isDigit(s.charAt(0))) {
            s = "n" + s;
        }
        return KEYWORDS.contains(s) || TAKEN_METHODS.contains(s) ? s + "_" : s;
    }

    /** {@code task_event} to {@code TaskEvent}. */
    static String pascal(String cName) {
        String c = camel(cName).replace("_", "");
        return Character.toUpperCase(c.charAt(0)) + c.substring(1);
    }

    /**
     * The record component for C member {@code cName}: its camel case when the binding check maps
     * that back to {@code cName}, else {@code cName} itself; null when neither is a Java name.
     */
    static String component(String cName) {
        String camel = camel(cName);
        if (BindingCheck.snake(camel).equals(cName)) {
            return camel;
        }
        return isIdentifier(cName) ? cName : null;
    }

    private static boolean isIdentifier(String s) {
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0)) || KEYWORDS.contains(s)
                || TAKEN_METHODS.contains(s)) {
            return false;
        }
        return s.chars().allMatch(Character::isJavaIdentifierPart);
    }
}
