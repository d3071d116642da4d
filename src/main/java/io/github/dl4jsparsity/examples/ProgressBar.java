package io.github.dl4jsparsity.examples;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Text progress bar of one epoch. On a terminal it is redrawn in place with a carriage return about 50 times per
 * epoch. When the output is not a terminal (a log file, CI), it prints one line at each quarter instead.
 */
final class ProgressBar {

    private static final int WIDTH = 30;
    private static final int REDRAWS = 50;
    private static final int LOG_LINES = 4;

    private final PrintStream out;
    private final String label;
    private final int total;
    private final int step;
    private final boolean interactive;

    ProgressBar(PrintStream out, String label, int total) {
        this.out = out;
        this.label = label;
        this.total = Math.max(total, 1);
        this.interactive = System.console() != null;
        this.step = Math.max(1, this.total / (interactive ? REDRAWS : LOG_LINES));
    }

    /** Redraws the bar after {@code done} of {@code total} minibatches, with the running mean loss and penalty. */
    void update(int done, double reconstruction, double penalty) {
        if (done % step != 0 && done != total) {
            return;
        }
        int filled = (int) ((long) WIDTH * done / total);
        String bar = "=".repeat(filled) + (filled < WIDTH ? ">" : "") + " ".repeat(Math.max(0, WIDTH - filled - 1));
        out.printf(Locale.ROOT, "%s%s [%s] %3d%%  reconstruction %.4f  penalty %.4f", interactive ? "\r" : "", label,
                bar, 100L * done / total, reconstruction, penalty);
        if (done == total || !interactive) {
            out.println();
        }
        out.flush();
    }
}
