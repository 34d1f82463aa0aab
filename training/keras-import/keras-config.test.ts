import { beforeAll, describe, expect, it } from "vitest";
import { getTf } from "@/lib/tf/backend";
import {
  kerasConfigLayers,
  kerasSnakeCase,
  tfjsClassesFromRegistry,
  translateKerasModel,
  type Json,
  type JsonObject,
  type TfjsClasses,
} from "@/training/keras-import/keras-config";

let classes: TfjsClasses;
beforeAll(async () => {
  const { tf } = await getTf();
  classes = tfjsClassesFromRegistry(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap));
});

const policy = (name: string) => ({
  module: "keras",
  class_name: "DTypePolicy",
  config: { name },
  registered_name: null,
});
const tensor = (layer: string, node = 0, index = 0) => ({
  class_name: "__keras_tensor__",
  config: { shape: [null, 8, 8, 4], dtype: "float32", keras_history: [layer, node, index] },
});
const node = (...args: Json[]) => ({ args, kwargs: {} });
const k3 = (className: string, config: JsonObject, inbound: Json[] = []) => ({
  module: "keras.layers",
  class_name: className,
  config: { dtype: policy("float32"), trainable: true, ...config },
  registered_name: null,
  build_config: { input_shape: [null, 8, 8, 1] },
  name: config.name ?? null,
  inbound_nodes: inbound,
});
const functional3 = (layers: Json[], output = "out") => ({
  module: "keras.src.models.functional",
  class_name: "Functional",
  config: {
    name: "m",
    trainable: true,
    layers,
    input_layers: [["input_layer", 0, 0]],
    output_layers: [[output, 0, 0]],
  },
  registered_name: "Functional",
});
const input3 = k3("InputLayer", {
  name: "input_layer",
  batch_shape: [null, 8, 8, 1],
  dtype: "float32",
  sparse: false,
  ragged: false,
});

/** A Keras 3 functional model: input → conv → BN → (conv + BN) add → dense. */
const keras3Model = functional3([
  input3,
  k3(
    "Conv2D",
    {
      name: "conv",
      filters: 4,
      kernel_size: [3, 3],
      padding: "same",
      groups: 1,
      activation: "relu",
      kernel_initializer: {
        module: "keras.initializers",
        class_name: "GlorotUniform",
        config: { seed: null },
        registered_name: null,
      },
      kernel_regularizer: {
        module: "keras.regularizers",
        class_name: "L2",
        config: { l2: 0.01 },
        registered_name: null,
      },
    },
    [node(tensor("input_layer"))],
  ),
  k3("BatchNormalization", { name: "bn", axis: -1, synchronized: false }, [node(tensor("conv"))]),
  k3("Add", { name: "add" }, [node([tensor("conv"), tensor("bn")])]),
  k3("Dense", { name: "out", units: 3, activation: "softmax" }, [node(tensor("add"))]),
]);

function layers(topology: JsonObject): JsonObject[] {
  return (topology.config as JsonObject).layers as JsonObject[];
}

describe("translateKerasModel", () => {
  it("turns a Keras 3 functional config into the Keras 2 JSON tfjs reads", () => {
    const { topology, layers: refs, notes } = translateKerasModel(keras3Model, { classes, kerasVersion: "3.6.0" });
    expect(topology.class_name).toBe("Model");
    expect((topology.config as JsonObject).input_layers).toEqual([["input_layer", 0, 0]]);
    const [input, conv, bn, add] = layers(topology);
    expect(input?.config).toEqual({
      name: "input_layer",
      batch_input_shape: [null, 8, 8, 1],
      dtype: "float32",
      trainable: true,
    });
    expect(conv?.config).toMatchObject({
      dtype: "float32",
      kernel_initializer: { class_name: "GlorotUniform", config: { seed: null } },
      kernel_regularizer: { class_name: "L1L2", config: { l1: 0, l2: 0.01 } },
    });
    expect(conv?.config).not.toHaveProperty("groups");
    expect(bn?.config).not.toHaveProperty("synchronized");
    expect(add?.inbound_nodes).toEqual([
      [
        ["conv", 0, 0, {}],
        ["bn", 0, 0, {}],
      ],
    ]);
    expect(refs.map((r) => r.className)).toEqual(["InputLayer", "Conv2D", "BatchNormalization", "Add", "Dense"]);
    expect(notes).toEqual([]);
  });

  it("reads a Keras 2.0 Sequential config given as a bare layer list", () => {
    const { topology } = translateKerasModel(
      {
        class_name: "Sequential",
        config: [
          {
            class_name: "Conv2D",
            config: {
              name: "conv2d_1",
              filters: 2,
              kernel_size: [3, 3],
              batch_input_shape: [null, 8, 8, 1],
              input_dtype: "float32",
              kernel_initializer: {
                class_name: "VarianceScaling",
                config: { scale: 1, mode: "fan_avg", distribution: "uniform", seed: null },
              },
              kernel_regularizer: { class_name: "L1L2", config: { l1: 0, l2: 0.01 } },
            },
          },
          { class_name: "LeakyReLU", config: { name: "leaky", negative_slope: 0.2 } },
        ],
      },
      { classes, kerasVersion: "2.0.5" },
    );
    const [conv, leaky] = layers(topology);
    expect(conv?.config).toMatchObject({
      dtype: "float32",
      batch_input_shape: [null, 8, 8, 1],
      kernel_regularizer: { class_name: "L1L2" },
    });
    expect(conv?.config).not.toHaveProperty("input_dtype");
    expect(leaky?.config).toEqual({ name: "leaky", alpha: 0.2 });
  });

  it("leaves out layers that do nothing at inference and rewires around them", () => {
    const { topology, dropped, notes } = translateKerasModel(
      functional3([
        input3,
        k3("RandomFlip", { name: "flip", mode: "horizontal" }, [node(tensor("input_layer"))]),
        k3("RandomRotation", { name: "rotate", factor: 0.1 }, [node(tensor("flip"))]),
        k3("Flatten", { name: "flat" }, [node(tensor("rotate"))]),
        k3("Dense", { name: "out", units: 2, activation: "softmax" }, [node(tensor("flat"))]),
      ]),
      { classes },
    );
    expect(layers(topology).map((l) => l.name)).toEqual(["input_layer", "flat", "out"]);
    expect(layers(topology)[1]?.inbound_nodes).toEqual([[["input_layer", 0, 0, {}]]]);
    expect(dropped.map((d) => d.name)).toEqual(["flip", "rotate"]);
    expect(notes).toHaveLength(2);
  });

  it("carries a dropped first Sequential layer's input shape to the next", () => {
    const { topology } = translateKerasModel(
      {
        class_name: "Sequential",
        config: {
          name: "s",
          layers: [
            { class_name: "RandomFlip", config: { name: "flip", batch_input_shape: [null, 8, 8, 1] } },
            { class_name: "Flatten", config: { name: "flat" } },
          ],
        },
      },
      { classes },
    );
    expect(layers(topology)).toEqual([
      { class_name: "Flatten", name: "flat", config: { name: "flat", batch_input_shape: [null, 8, 8, 1] } },
    ]);
  });

  it("computes in float32 what a mixed-precision policy computed in float16, and says so", () => {
    const model = functional3([
      input3,
      k3("Dense", { name: "out", units: 2, dtype: policy("mixed_float16") }, [node(tensor("input_layer"))]),
    ]);
    const { topology, notes } = translateKerasModel(model, { classes });
    expect(layers(topology)[1]?.config).toMatchObject({ dtype: "float32" });
    expect(notes).toEqual(['Layer "out" used dtype mixed_float16; TensorFlow.js computes it in float32']);
  });

  const dense = (extra: JsonObject, inbound: Json[] = [node(tensor("input_layer"))]) =>
    k3("Dense", { name: "out", units: 2, ...extra }, inbound);
  it.each<{ name: string; model: Json; kerasVersion?: string; error: string | RegExp }>([
    {
      name: "a Lambda layer",
      model: functional3(
        [input3, k3("Lambda", { name: "lambda_1", function: "x * 2" }, [node(tensor("input_layer"))])],
        "lambda_1",
      ),
      error: 'Cannot import layer "lambda_1" (Lambda): Lambda layers run arbitrary Python and cannot be translated',
    },
    {
      name: "groups ≠ 1",
      model: functional3([
        input3,
        k3("Conv2D", { name: "out", filters: 4, kernel_size: [3, 3], groups: 2 }, [node(tensor("input_layer"))]),
      ]),
      error: 'Cannot import layer "out" (Conv2D): groups = 2: grouped convolutions are not supported by TensorFlow.js',
    },
    {
      name: "pooling that keeps dimensions",
      model: functional3([
        input3,
        k3("GlobalAveragePooling2D", { name: "out", keepdims: true }, [node(tensor("input_layer"))]),
      ]),
      error: /^Cannot import layer "out" \(GlobalAveragePooling2D\): keepdims = true/,
    },
    {
      name: "a custom layer class",
      model: functional3([
        input3,
        { ...dense({}), class_name: "Scale", module: "my_layers", registered_name: "my_layers>Scale" },
      ]),
      error:
        'Cannot import layer "out" (Scale): a custom layer class (my_layers>Scale) whose code is in Python cannot be translated',
    },
    {
      name: "a nested model",
      model: functional3([input3, { ...dense({}), class_name: "Functional" }]),
      error: /^Cannot import layer "out" \(Functional\): nested models are not supported/,
    },
    {
      name: "an activation tfjs lacks",
      model: functional3([input3, dense({ activation: "log_sigmoid" })]),
      error: 'Cannot import layer "out" (Dense): TensorFlow.js has no "log_sigmoid" activation',
    },
    {
      name: "Keras 3's hard_sigmoid",
      model: functional3([input3, dense({ activation: "hard_sigmoid" })]),
      kerasVersion: "3.3.3",
      error: /^Cannot import layer "out" \(Dense\): Keras 3's hard_sigmoid/,
    },
    {
      name: "a tensor keyword argument",
      model: functional3([
        input3,
        dense({}, [{ args: [tensor("input_layer")], kwargs: { mask: tensor("input_layer") } }]),
      ]),
      error:
        'Cannot import layer "out" (Dense): it is called with a tensor keyword argument (mask), which TensorFlow.js cannot wire',
    },
    {
      name: "batch normalization over two axes",
      model: functional3([
        input3,
        k3("BatchNormalization", { name: "out", axis: [1, 2] }, [node(tensor("input_layer"))]),
      ]),
      error:
        'Cannot import layer "out" (BatchNormalization): normalizing over axes [1,2] is not supported; only one axis',
    },
    {
      name: "a subclassed model",
      model: { class_name: "EmotionNet", config: {}, module: "train", registered_name: "train>EmotionNet" },
      error: /^The model's class is EmotionNet, not Sequential or a functional Model; a subclassed model/,
    },
  ])("refuses $name", ({ model, kerasVersion, error }) => {
    expect(() => translateKerasModel(model, { classes, kerasVersion })).toThrow(error);
  });
});

describe("Keras 3 weight group names", () => {
  it.each([
    ["Conv2D", "conv2d"],
    ["SeparableConv2D", "separable_conv2d"],
    ["BatchNormalization", "batch_normalization"],
    ["GlobalAveragePooling2D", "global_average_pooling2d"],
    ["InputLayer", "input_layer"],
    ["ReLU", "re_lu"],
    ["PReLU", "p_re_lu"],
    ["LSTM", "lstm"],
    ["Conv2DTranspose", "conv2d_transpose"],
  ])("%s → %s", (className, group) => {
    expect(kerasSnakeCase(className)).toBe(group);
  });

  it("lists a config's layers in order without translating them", () => {
    expect(kerasConfigLayers(keras3Model).map((l) => l.name)).toEqual(["input_layer", "conv", "bn", "add", "out"]);
  });
});
