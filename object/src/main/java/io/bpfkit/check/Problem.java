package io.bpfkit.check;

/**
 * Where a binding interface and its object disagree: the method, the annotation member the
 * problem is about ({@code value}, {@code autoAttach}, {@code map}, ...; null for the method's
 * types), and what the object has instead.
 */
public record Problem(String method, String attribute, String message) {

    @Override
    public String toString() {
        return method + "(): " + message;
    }
}
