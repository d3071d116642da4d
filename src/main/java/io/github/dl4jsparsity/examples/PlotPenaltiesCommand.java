package io.github.dl4jsparsity.examples;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.github.dl4jsparsity.conf.SparsityLayer;
import io.github.dl4jsparsity.penalty.PenaltyGraph;
import io.github.dl4jsparsity.penalty.PenaltySpec;
import io.github.dl4jsparsity.penalty.SparsityPenalty;
import io.github.dl4jsparsity.report.PenaltyCurvesChart;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code plot-penalties} command: KL, MAE and MSE sparsity losses against the actual sparsity q. */
@Command(name = "plot-penalties", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Plot the KL, MAE and MSE sparsity losses for one unit against its mean activation q from "
                + "0.001 to 0.999 (Figure 17-10 of the book), computed by the library's SameDiff penalty graphs.")
final class PlotPenaltiesCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(PlotPenaltiesCommand.class);
    /** Number of q values from 0.001 to 0.999 in steps of 0.001. */
    static final int POINTS = 999;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--target", description = "Target sparsity p, in (0, 1). Default: ${DEFAULT-VALUE}.",
            defaultValue = "0.1")
    double target;

    @Option(names = "--output", paramLabel = "FILE", description = "PNG file to write. Default: "
            + "${DEFAULT-VALUE}.", defaultValue = "runs/penalties.png")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (!(target > 0 && target < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Invalid --target " + target
                    + ": the target sparsity must lie in (0, 1), for example 0.1");
        }
        if (java.nio.file.Files.isDirectory(output)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Invalid --output " + output
                    + ": it is a directory; pass the path of the PNG file to write");
        }
        Curves curves = curves(target);
        PenaltyCurvesChart.write(curves.q(), curves.kl(), curves.mae(), curves.mse(), target, output);
        log.info("Sparsity losses for target {} written to {}", target, output.toAbsolutePath());
        return 0;
    }

    /** Values of the three losses at each q. */
    record Curves(double[] q, double[] kl, double[] mae, double[] mse) {
    }

    /** Evaluates the KL, MAE and MSE unit terms at q = 0.001, 0.002, ..., 0.999 with the library's graphs. */
    static Curves curves(double target) {
        INDArray q = Nd4j.linspace(0.001, 0.999, POINTS, DataType.DOUBLE);
        return new Curves(q.toDoubleVector(), unitValues(SparsityPenalty.KL, target, q),
                unitValues(SparsityPenalty.MAE, target, q), unitValues(SparsityPenalty.MSE, target, q));
    }

    private static double[] unitValues(SparsityPenalty penalty, double target, INDArray q) {
        PenaltyGraph graph = new PenaltyGraph(new PenaltySpec(penalty, target, 1.0, SparsityLayer.DEFAULT_EPSILON,
                false), DataType.DOUBLE, q.length());
        return graph.unitValues(q).toDoubleVector();
    }
}
