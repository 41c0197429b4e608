package dev.genq.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs a model over the rows of its inputs in chunks of exactly {@code rows} rows, padding the last
 * chunk with zeros. libtorch picks kernels by batch size, and different kernels round differently, so
 * a fixed forward shape is what makes a sample's pixels independent of how many other samples share its
 * batch. {@code rows <= 0} runs everything in one forward (fastest, not batch-invariant).
 */
final class FixedShapeBatches {
    private FixedShapeBatches() {
    }

    static NDArray apply(NDManager m, int rows, NDList inputs, Function<NDList, NDArray> model) {
        long total = inputs.get(0).getShape().get(0);
        if (rows <= 0 || total == rows) {
            return model.apply(inputs);
        }
        List<NDArray> outputs = new ArrayList<>();
        for (long start = 0; start < total; start += rows) {
            long real = Math.min(rows, total - start);
            NDList chunk = new NDList();
            for (NDArray in : inputs) {
                NDArray part = in.get(start + ":" + (start + real));
                if (real < rows) {
                    long[] padShape = in.getShape().getShape().clone();
                    padShape[0] = rows - real;
                    part = NDArrays.concat(new NDList(part, m.zeros(new ai.djl.ndarray.types.Shape(padShape), in.getDataType())));
                }
                chunk.add(part);
            }
            NDArray out = model.apply(chunk);
            outputs.add(real < rows ? out.get("0:" + real) : out);
        }
        return outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(new NDList(outputs));
    }
}
