// The .lcm network built from tfjs ops (NHWC, fused conv+bias+ReLU and matMul+bias+ReLU as tfjs offers
// them), given the tfjs namespace: the same code times it in node (yardstick-tfjs-wasm.mjs) and in the
// browser (browser-bench.mjs).
import { LayerKind } from './lcm.mjs';

// model: parseLcm's result; input: Float32Array, NHWC. Returns forward(): the logits tensor.
export function tfjsNetwork(tf, model, input) {
  const { inputHeight: h, inputWidth: w, inputChannels: c } = model;
  // OIHW (.lcm) to HWIO (tfjs conv2d filters).
  const toHwio = ({ shape: [o, i], data }) => {
    const hwio = new Float32Array(data.length);
    for (let oc = 0; oc < o; oc++) {
      for (let ic = 0; ic < i; ic++) {
        for (let k = 0; k < 9; k++) hwio[(k * i + ic) * o + oc] = data[(oc * i + ic) * 9 + k];
      }
    }
    return tf.tensor4d(hwio, [3, 3, i, o]);
  };
  const layers = model.layers.map((layer) => {
    if (layer.kind === LayerKind.Conv3x3) return { ...layer, filter: toHwio(layer.weight), b: tf.tensor1d(layer.bias.data) };
    if (layer.kind === LayerKind.Linear) {
      // Transposed once here to [in, out]: tfjs-backend-wasm 4.22's fused matMul with transposeB: true
      // returned wrong values for inner sizes of 64 and more (unfused matMul was right).
      const matrix = tf.tidy(() => tf.transpose(tf.tensor2d(layer.weight.data, layer.weight.shape)));
      return { ...layer, matrix, b: tf.tensor1d(layer.bias.data) };
    }
    return layer;
  });
  const x0 = tf.tensor4d(input, [1, h, w, c]);
  return () =>
    tf.tidy(() => {
      let x = x0;
      for (const layer of layers) {
        const activation = layer.fusedRelu ? 'relu' : 'linear';
        switch (layer.kind) {
          case LayerKind.Conv3x3:
            x = tf.fused.conv2d({ x, filter: layer.filter, strides: 1, pad: 'same', bias: layer.b, activation });
            break;
          case LayerKind.MaxPool2x2: x = tf.maxPool(x, 2, 2, 'valid'); break;
          case LayerKind.GlobalAvgPool: x = tf.mean(x, [1, 2]); break;
          case LayerKind.Linear:
            x = tf.fused.matMul({ a: x, b: layer.matrix, bias: layer.b, activation });
            break;
          case LayerKind.Relu: x = tf.relu(x); break;
          default: throw new Error(`unknown layer kind ${layer.kind}`);
        }
      }
      return x;
    });
}
