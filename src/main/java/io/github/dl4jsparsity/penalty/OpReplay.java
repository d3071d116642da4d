package io.github.dl4jsparsity.penalty;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs the ops of a SameDiff graph whose shapes never change, with every array allocated once.
 *
 * <p>The ops are SameDiff's own: the forward ops that a graph defines and the gradient ops that SameDiff's autodiff
 * adds in {@link SameDiff#createGradFunction(String...)}. This class does what SameDiff's session does for each of
 * them (bind the input arrays and the op's arguments to an ND4J {@link OpContext}, allocate the outputs, execute),
 * but does it once when it is built, so a call only fills the placeholder and executes the ops. On ND4J 1.0.0-M2.1
 * the session's per-call bookkeeping costs far more than the arithmetic on [1, n] rows.
 *
 * <p>Only a graph with one placeholder of a fixed shape, and whose needed ops are all custom ops, can be replayed.
 * Loss ops and their gradient ops are custom ops. The constructor rejects a needed op that is not a custom op or that
 * reads another placeholder. Output arrays are overwritten by the next run, so callers copy what they keep. Not
 * thread-safe.
 */
final class OpReplay {

    private final List<DynamicCustomOp> ops = new ArrayList<>();
    private final List<OpContext> contexts = new ArrayList<>();
    private final Map<String, INDArray> arrays = new HashMap<>();

    /**
     * Plans the ops needed for the given outputs and allocates their arrays, outside any workspace.
     *
     * @param graph the SameDiff graph or gradient function to run
     * @param placeholderName the graph's only placeholder that the needed ops read
     * @param placeholder the array the placeholder reads, detached from workspaces. The caller fills it before each
     *        run, and several replays may share it
     * @param outputs names of the variables to compute
     * @throws IllegalStateException when a needed op is not a custom op or reads another placeholder
     */
    OpReplay(SameDiff graph, String placeholderName, INDArray placeholder, List<String> outputs) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            arrays.put(placeholderName, placeholder);
            Set<DifferentialFunction> order = new LinkedHashSet<>();
            for (String output : outputs) {
                addProducers(graph, output, placeholderName, order);
            }
            for (DifferentialFunction function : order) {
                plan(graph, function);
            }
        }
    }

    /** Adds the ops that compute {@code variable} to {@code order}, each after the ops it reads from. */
    private static void addProducers(SameDiff graph, String variable, String placeholderName,
                                     Set<DifferentialFunction> order) {
        SDVariable sdVariable = graph.getVariable(variable);
        VariableType kind = sdVariable.getVariableType();
        if (kind == VariableType.PLACEHOLDER && !variable.equals(placeholderName)) {
            throw new IllegalStateException("Cannot replay the graph: variable '" + variable + "' is a second "
                    + "placeholder, and only '" + placeholderName + "' receives a value");
        }
        if (kind != VariableType.ARRAY) {
            return;
        }
        DifferentialFunction producer = graph.getVariableOutputOp(variable);
        if (order.contains(producer)) {
            return;
        }
        if (!(producer instanceof DynamicCustomOp)) {
            throw new IllegalStateException("Cannot replay the graph: op '" + producer.getOwnName() + "' ("
                    + producer.opName() + ") is not a custom op");
        }
        for (String input : producer.argNames()) {
            addProducers(graph, input, placeholderName, order);
        }
        order.add(producer);
    }

    private void plan(SameDiff graph, DifferentialFunction function) {
        DynamicCustomOp op = (DynamicCustomOp) function;
        INDArray[] inputs = Arrays.stream(function.argNames())
                .map(name -> arrays.containsKey(name) ? arrays.get(name) : graph.getArrForVarName(name))
                .toArray(INDArray[]::new);
        OpContext context = Nd4j.getExecutioner().buildContext();
        context.setArgs(inputs, op.iArgs(), op.dArgs(), op.tArgs(), op.bArgs());
        List<LongShapeDescriptor> shapes = op.calculateOutputShape(context);
        String[] names = function.outputVariablesNames();
        INDArray[] outputs = new INDArray[names.length];
        for (int i = 0; i < names.length; i++) {
            // As SameDiff's session does, take the data type from the variable: the shape function may not know it.
            LongShapeDescriptor shape = shapes.get(i).asDataType(graph.getVariable(names[i]).dataType());
            outputs[i] = Nd4j.create(shape, false);
            arrays.put(names[i], outputs[i]);
        }
        context.setOutputArrays(outputs);
        ops.add(op);
        contexts.add(context);
    }

    /** Executes the planned ops in order. */
    void run() {
        for (int i = 0; i < ops.size(); i++) {
            Nd4j.getExecutioner().exec(ops.get(i), contexts.get(i));
        }
    }

    /** Returns the array of a planned variable as the last {@link #run()} left it; the next run overwrites it. */
    INDArray array(String variable) {
        return arrays.get(variable);
    }

    /** Returns the number of ops a run executes. */
    int opCount() {
        return ops.size();
    }
}
