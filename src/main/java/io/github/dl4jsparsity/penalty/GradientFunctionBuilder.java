package io.github.dl4jsparsity.penalty;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Creates a SameDiff gradient function without the line per op that ND4J 1.0.0-M2.1 prints to {@code System.out}
 * ("Added differentiated op ..."), which would otherwise flood the output once per layer instance.
 */
final class GradientFunctionBuilder {

    private static final String NOISE_PREFIX = "Added differentiated op ";
    private static final Object LOCK = new Object();

    private GradientFunctionBuilder() {
    }

    /**
     * Calls {@link SameDiff#createGradFunction(String...)} while {@code System.out} drops the lines that start with
     * the known prefix; every other line printed meanwhile, by any thread, still reaches the original stream.
     */
    static void create(SameDiff sd, String... variablesRequiringGradients) {
        synchronized (LOCK) {
            PrintStream original = System.out;
            PrintStream filtered = new PrintStream(new LineFilter(original), true, StandardCharsets.UTF_8);
            System.setOut(filtered);
            try {
                sd.createGradFunction(variablesRequiringGradients);
            } finally {
                filtered.flush();
                System.setOut(original);
            }
        }
    }

    /** Output stream that forwards whole lines to a target, except the ones ND4J prints while differentiating. */
    private static final class LineFilter extends OutputStream {

        private final PrintStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineFilter(PrintStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            line.write(b);
            if (b == '\n') {
                forwardLine();
            }
        }

        @Override
        public void flush() {
            if (line.size() > 0) {
                forwardLine();
            }
            target.flush();
        }

        private void forwardLine() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!text.startsWith(NOISE_PREFIX)) {
                target.print(text);
            }
        }
    }
}
