/**
 * Keras model configs (Keras 2.0 … 3.x, and what tensorflowjs_converter writes) translated into the
 * Keras 2 JSON that tfjs-layers' deserializer reads, or refused naming the layer that cannot be.
 *
 * tfjs-layers ignores config keys it does not know, so a key that changes what a layer computes
 * (`groups: 2`, `keepdims: true`, …) would be dropped without a word and the model would run
 * differently: such keys are accepted only at their neutral value, anything else is refused.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A layer as the Keras config lists it. */
export interface KerasLayerRef {
  name: string;
  className: string;
}

export interface TranslatedModel {
  /** `{ class_name: "Model" | "Sequential", config }`, ready for tf.models.modelFromJSON. */
  topology: JsonObject;
  /** Every layer in the config's order, which is Keras' own `model.layers` order. */
  layers: KerasLayerRef[];
  /** Layers left out because they do nothing at inference (random augmentation, identity). */
  dropped: KerasLayerRef[];
  /** What was changed on the way, for the import report. */
  notes: string[];
}

/** The classes the running tfjs-layers can deserialise, by kind (see tfjsClassesFromRegistry). */
export interface TfjsClasses {
  layers: ReadonlySet<string>;
  initializers: ReadonlySet<string>;
  constraints: ReadonlySet<string>;
  /** Activation identifiers, camelCase as tfjs registers them ("relu", "hardSigmoid"). */
  activations: ReadonlySet<string>;
}

export interface TranslateOptions {
  classes: TfjsClasses;
  /** The Keras version that wrote the config ("2.0.5", "3.6.0"), where known. */
  kerasVersion?: string | null;
}

const INITIALIZERS = [
  "Zeros",
  "Ones",
  "Constant",
  "RandomUniform",
  "RandomNormal",
  "TruncatedNormal",
  "Identity",
  "VarianceScaling",
  "GlorotUniform",
  "GlorotNormal",
  "HeNormal",
  "HeUniform",
  "LeCunNormal",
  "LeCunUniform",
  "Orthogonal",
];
const CONSTRAINTS = ["MaxNorm", "UnitNorm", "NonNeg", "MinMaxNorm"];
const NOT_LAYERS = new Set([
  ...INITIALIZERS,
  ...CONSTRAINTS,
  "L1L2",
  "Adadelta",
  "Adagrad",
  "Adam",
  "Adamax",
  "Momentum",
  "RMSProp",
  "SGD",
  "Model",
  "Functional",
  "Sequential",
]);

/**
 * Sorts tfjs' serialization registry (`tf.serialization.SerializationMap.getMap().classNameMap`
 * keys) into kinds. Taken from the running tfjs rather than a fixed list, because older releases
 * (the native accelerator's 2.7) lack layers newer ones have.
 */
export function tfjsClassesFromRegistry(classNames: Iterable<string>): TfjsClasses {
  const all = [...classNames];
  const has = new Set(all);
  return {
    layers: new Set(all.filter((c) => /^[A-Z]/.test(c) && !NOT_LAYERS.has(c))),
    initializers: new Set(INITIALIZERS.filter((c) => has.has(c))),
    constraints: new Set(CONSTRAINTS.filter((c) => has.has(c))),
    activations: new Set(all.filter((c) => /^[a-z]/.test(c))),
  };
}

/** Python code inside the model file: nothing outside Python can run it. */
const PYTHON_LAYERS = new Set(["Lambda", "TFOpLambda", "SlicingOpLambda"]);
/** Identity at inference: random augmentation is only active in training. */
const INFERENCE_IDENTITY = new Set([
  "RandomFlip",
  "RandomRotation",
  "RandomZoom",
  "RandomTranslation",
  "RandomContrast",
  "RandomBrightness",
  "ActivityRegularization",
  "Identity",
]);

interface KeyRule {
  key: string;
  /** Only for these layer classes (all when absent). */
  classes?: readonly string[];
  neutral: (v: Json | undefined) => boolean;
  why: string;
}

const falsy = (v: Json | undefined) => v === null || v === undefined || v === false || v === 0;
const isNull = (v: Json | undefined) => v === null || v === undefined;

/** Keys tfjs-layers does not know, accepted only at the value that changes nothing. */
const NEUTRAL_ONLY: KeyRule[] = [
  {
    key: "groups",
    neutral: (v) => isNull(v) || v === 1,
    why: "grouped convolutions are not supported by TensorFlow.js",
  },
  { key: "keepdims", neutral: falsy, why: "TensorFlow.js pooling layers cannot keep the pooled dimensions" },
  { key: "renorm", neutral: falsy, why: "batch renormalization is not supported by TensorFlow.js" },
  { key: "virtual_batch_size", neutral: isNull, why: "ghost batch normalization is not supported by TensorFlow.js" },
  { key: "adjustment", neutral: isNull, why: "a batch-normalization adjustment function is Python code" },
  {
    key: "lora_rank",
    neutral: falsy,
    why: "LoRA-adapted layers are not supported; merge the LoRA weights in Keras first",
  },
  { key: "quantization_config", neutral: isNull, why: "quantized layers are not supported" },
  { key: "sparse", neutral: falsy, why: "sparse inputs are not supported by TensorFlow.js" },
  { key: "ragged", neutral: falsy, why: "ragged inputs are not supported by TensorFlow.js" },
  { key: "negative_slope", classes: ["ReLU"], neutral: falsy, why: "TensorFlow.js' ReLU layer has no negative slope" },
  { key: "threshold", classes: ["ReLU"], neutral: falsy, why: "TensorFlow.js' ReLU layer has no threshold" },
];

/** Keys that change nothing at inference and that tfjs-layers does not know. */
const HARMLESS_KEYS = new Set([
  "autocast",
  "fused",
  "synchronized",
  "renorm_clipping",
  "renorm_momentum",
  "lora_alpha",
  "use_cudnn",
  "optional",
]);

/** Initializer names Keras writes as strings or under older class names. */
const INITIALIZER_ALIASES: Record<string, string> = {
  zeros: "Zeros",
  zero: "Zeros",
  ones: "Ones",
  one: "Ones",
  constant: "Constant",
  uniform: "RandomUniform",
  random_uniform: "RandomUniform",
  normal: "RandomNormal",
  random_normal: "RandomNormal",
  truncated_normal: "TruncatedNormal",
  identity: "Identity",
  orthogonal: "Orthogonal",
  variance_scaling: "VarianceScaling",
  glorot_uniform: "GlorotUniform",
  glorot_normal: "GlorotNormal",
  he_normal: "HeNormal",
  he_uniform: "HeUniform",
  lecun_normal: "LeCunNormal",
  lecun_uniform: "LeCunUniform",
  LecunNormal: "LeCunNormal",
  LecunUniform: "LeCunUniform",
  IdentityInitializer: "Identity",
};

/** Keras activation names tfjs knows under another name. */
const ACTIVATION_ALIASES: Record<string, string> = { silu: "swish" };

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Keras 3 writes every object as {module, class_name, config, registered_name}; Keras 2 as {class_name, config}. */
interface KerasObject {
  className: string;
  config: Json;
  module: string | null;
  registeredName: string | null;
}

function asKerasObject(v: unknown): KerasObject | null {
  if (!isJsonObject(v) || typeof v.class_name !== "string") return null;
  return {
    className: v.class_name,
    config: v.config ?? null,
    module: typeof v.module === "string" ? v.module : null,
    registeredName: typeof v.registered_name === "string" ? v.registered_name : null,
  };
}

/** Keras 3 names classes registered outside Keras "package>Class" and gives their own module. */
function customOrigin(o: KerasObject): string | null {
  if (o.registeredName?.includes(">")) return o.registeredName;
  if (o.module && !/^(keras|tf_keras|tensorflow)(\.|$)/.test(o.module)) return `${o.module}.${o.className}`;
  return null;
}

/** tfjs-layers' own snake_case → camelCase (it converts string values too, e.g. activation names). */
function toCamelCase(s: string): string {
  return s.includes("_") ? s.replace(/_+(\w|$)/g, (_, c: string) => c.toUpperCase()) : s;
}

function layerError(layer: KerasLayerRef, reason: string): Error {
  return new Error(`Cannot import layer "${layer.name}" (${layer.className}): ${reason}`);
}

/** [layer name, node index, tensor index, call kwargs]: one input of a node, Keras 2 style. */
type TensorRef = [string, number, number, JsonObject];

function isHistory(v: Json | undefined): v is [string, number, number] {
  return (
    Array.isArray(v) &&
    v.length >= 3 &&
    typeof v[0] === "string" &&
    typeof v[1] === "number" &&
    typeof v[2] === "number"
  );
}

/**
 * Translates a model config (`model_config` of an HDF5 file, `config.json` of a .keras archive or
 * the `modelTopology` of a TF.js model.json) into one tfjs-layers reads. Throws on anything that
 * cannot be translated without changing what the model computes.
 */
export function translateKerasModel(raw: unknown, options: TranslateOptions): TranslatedModel {
  // tensorflowjs_converter nests the Keras config: { model_config, training_config, keras_version }.
  const root = isJsonObject(raw) && isJsonObject(raw.model_config) ? raw.model_config : raw;
  const model = asKerasObject(root);
  if (!model) throw new Error("The model config has no class_name; it is not a Keras model config");
  const t = new Translator(options);
  switch (model.className) {
    case "Sequential":
      return t.sequential(model);
    case "Model":
    case "Functional":
      return t.functional(model);
    default:
      throw new Error(
        `The model's class is ${model.className}, not Sequential or a functional Model; a subclassed model keeps its architecture in Python code and cannot be imported`,
      );
  }
}

interface TranslatedLayer {
  ref: KerasLayerRef;
  entry: JsonObject;
  /** Left out of the tfjs model (identity at inference). */
  dropped: boolean;
}

class Translator {
  private readonly notes: string[] = [];
  private readonly layers: KerasLayerRef[] = [];
  private readonly dropped: KerasLayerRef[] = [];
  private readonly keras3: boolean;

  constructor(private readonly options: TranslateOptions) {
    this.keras3 = /^3\./.test(options.kerasVersion ?? "");
  }

  sequential(model: KerasObject): TranslatedModel {
    const cfg = model.config;
    const entries = Array.isArray(cfg) ? cfg : isJsonObject(cfg) && Array.isArray(cfg.layers) ? cfg.layers : null;
    if (!entries) throw new Error("The Sequential model config has no layer list");
    const name = isJsonObject(cfg) && typeof cfg.name === "string" ? cfg.name : "sequential";
    const out: JsonObject[] = [];
    let carriedShape: Json | undefined;
    for (const [i, entry] of entries.entries()) {
      const layer = this.layer(entry, i, false);
      const config = layer.entry.config as JsonObject;
      if (layer.dropped) {
        // A dropped first layer may be the one that declared the input shape.
        carriedShape ??= config.batch_input_shape ?? undefined;
        continue;
      }
      if (
        out.length === 0 &&
        carriedShape !== undefined &&
        config.batch_input_shape === undefined &&
        config.input_shape === undefined
      ) {
        config.batch_input_shape = carriedShape;
      }
      out.push(layer.entry);
    }
    const first = out[0]?.config;
    const built = isJsonObject(cfg) ? cfg.build_input_shape : undefined;
    if (
      isJsonObject(first) &&
      out[0]?.class_name !== "InputLayer" &&
      first.batch_input_shape === undefined &&
      first.input_shape === undefined
    ) {
      if (!Array.isArray(built))
        throw new Error(
          "The Sequential model does not declare its input shape (no InputLayer, batch_input_shape or build_input_shape)",
        );
      first.batch_input_shape = built;
    }
    return this.result({ class_name: "Sequential", config: { name, layers: out } });
  }

  functional(model: KerasObject): TranslatedModel {
    const cfg = model.config;
    if (!isJsonObject(cfg) || !Array.isArray(cfg.layers))
      throw new Error("The functional model config has no layer list");
    const name = typeof cfg.name === "string" ? cfg.name : "model";
    const kept: JsonObject[] = [];
    // A dropped layer's output is its input: "name/node" → the tensor that replaces it.
    const bypass = new Map<string, TensorRef>();
    for (const [i, entry] of cfg.layers.entries()) {
      const layer = this.layer(entry, i, true);
      const nodes = layer.entry.inbound_nodes as TensorRef[][];
      if (!layer.dropped) {
        kept.push(layer.entry);
        continue;
      }
      nodes.forEach((inputs, n) => {
        const [input] = inputs;
        if (inputs.length !== 1 || !input) throw layerError(layer.ref, `expected one input, found ${inputs.length}`);
        bypass.set(`${layer.ref.name}/${n}`, input);
      });
    }
    const resolve = (ref: TensorRef): TensorRef => {
      let at = ref;
      for (let hops = 0; bypass.has(`${at[0]}/${at[1]}`); hops++) {
        if (hops > bypass.size) throw new Error(`Dropped layers form a cycle at "${at[0]}"`);
        const next = bypass.get(`${at[0]}/${at[1]}`)!;
        at = [next[0], next[1], next[2], ref[3]];
      }
      return at;
    };
    for (const entry of kept) {
      entry.inbound_nodes = (entry.inbound_nodes as TensorRef[][]).map((node) => node.map(resolve));
    }
    const ends = (key: string): TensorRef[] =>
      tensorList(cfg[key] ?? null, key).map((h) => resolve([h[0], h[1], h[2], {}]));
    const strip = (refs: TensorRef[]) => refs.map(([layer, node, tensor]) => [layer, node, tensor]);
    return this.result({
      class_name: "Model",
      config: {
        name,
        layers: kept,
        input_layers: strip(ends("input_layers")),
        output_layers: strip(ends("output_layers")),
      },
    });
  }

  private result(topology: JsonObject): TranslatedModel {
    return { topology, layers: this.layers, dropped: this.dropped, notes: this.notes };
  }

  private layer(entry: Json, index: number, functional: boolean): TranslatedLayer {
    const o = asKerasObject(entry);
    if (!o) throw new Error(`Layer #${index + 1} of the model config has no class_name`);
    const config: JsonObject = isJsonObject(o.config) ? { ...o.config } : {};
    const ref = layerRef(entry, o, index);
    const name = ref.name;
    this.layers.push(ref);

    if (PYTHON_LAYERS.has(o.className))
      throw layerError(ref, `${o.className} layers run arbitrary Python and cannot be translated`);
    if (o.className === "Sequential" || o.className === "Model" || o.className === "Functional") {
      throw layerError(ref, "nested models are not supported; rebuild the model as one flat functional model in Keras");
    }
    const custom = customOrigin(o);
    if (custom) throw layerError(ref, `a custom layer class (${custom}) whose code is in Python cannot be translated`);

    const inbound = functional
      ? this.inboundNodes(ref, isJsonObject(entry) ? entry.inbound_nodes : undefined)
      : undefined;
    const base = { class_name: o.className, name, ...(inbound ? { inbound_nodes: inbound } : {}) };
    if (INFERENCE_IDENTITY.has(o.className)) {
      this.dropped.push(ref);
      this.notes.push(`Left out layer "${name}" (${o.className}): it does nothing at inference`);
      return {
        ref,
        entry: {
          ...base,
          config: { ...config, batch_input_shape: config.batch_input_shape ?? config.batch_shape ?? null },
        },
        dropped: true,
      };
    }
    if (!this.options.classes.layers.has(o.className))
      throw layerError(ref, `TensorFlow.js has no ${o.className} layer`);
    return { ref, entry: { ...base, config: this.layerConfig(ref, config) }, dropped: false };
  }

  /** One layer's config, Keras 2 style, with every nested Keras object translated. */
  private layerConfig(ref: KerasLayerRef, input: JsonObject): JsonObject {
    const cfg: JsonObject = { ...input };
    if ("batch_shape" in cfg) {
      cfg.batch_input_shape ??= cfg.batch_shape ?? null;
      delete cfg.batch_shape;
    }
    if ("input_dtype" in cfg) {
      cfg.dtype ??= cfg.input_dtype ?? null;
      delete cfg.input_dtype;
    }
    if (ref.className === "LeakyReLU" && "negative_slope" in cfg) {
      cfg.alpha = cfg.negative_slope ?? 0.3;
      delete cfg.negative_slope;
    }
    for (const rule of NEUTRAL_ONLY) {
      if (!(rule.key in cfg) || (rule.classes && !rule.classes.includes(ref.className))) continue;
      if (!rule.neutral(cfg[rule.key]))
        throw layerError(ref, `${rule.key} = ${JSON.stringify(cfg[rule.key])}: ${rule.why}`);
      delete cfg[rule.key];
    }
    for (const key of Object.keys(cfg)) {
      const value = cfg[key] ?? null;
      if (HARMLESS_KEYS.has(key)) delete cfg[key];
      else if (key === "dtype") this.setOrDelete(cfg, key, this.dtype(ref, value));
      else if (key.endsWith("_initializer")) this.setOrDelete(cfg, key, this.initializer(value));
      else if (key.endsWith("_regularizer")) this.setOrDelete(cfg, key, this.regularizer(ref, key, value));
      else if (key.endsWith("_constraint")) this.setOrDelete(cfg, key, this.constraint(ref, key, value));
      else if (key === "activation" || key === "recurrent_activation") cfg[key] = this.activation(ref, value);
      else if (key === "layer" || key === "backward_layer" || key === "cell") cfg[key] = this.wrapped(ref, value);
      else if (key === "cells" && Array.isArray(value)) cfg[key] = value.map((c) => this.wrapped(ref, c));
    }
    if (ref.className === "BatchNormalization" && Array.isArray(cfg.axis)) {
      // tf.keras 2.x writes the axis as a one-element list once the layer is built.
      const [axis, ...more] = cfg.axis;
      if (typeof axis !== "number" || more.length > 0)
        throw layerError(ref, `normalizing over axes ${JSON.stringify(cfg.axis)} is not supported; only one axis`);
      cfg.axis = axis;
    }
    return cfg;
  }

  private setOrDelete(cfg: JsonObject, key: string, value: Json | undefined): void {
    if (value === undefined) delete cfg[key];
    else cfg[key] = value;
  }

  /** A layer inside a wrapper (Bidirectional, TimeDistributed) or an RNN cell. */
  private wrapped(owner: KerasLayerRef, value: Json): Json {
    const o = asKerasObject(value);
    if (!o) return value;
    const inner: KerasLayerRef = {
      name: `${owner.name}/${isJsonObject(o.config) && typeof o.config.name === "string" ? o.config.name : o.className}`,
      className: o.className,
    };
    const custom = customOrigin(o);
    if (custom || PYTHON_LAYERS.has(o.className))
      throw layerError(inner, `${custom ?? o.className} cannot be translated`);
    if (!this.options.classes.layers.has(o.className))
      throw layerError(inner, `TensorFlow.js has no ${o.className} layer`);
    return { class_name: o.className, config: this.layerConfig(inner, isJsonObject(o.config) ? o.config : {}) };
  }

  /** tfjs computes in float32: a Keras dtype policy ("mixed_float16") becomes plain float32. */
  private dtype(ref: KerasLayerRef, value: Json): Json | undefined {
    const policy = asKerasObject(value);
    const name =
      typeof value === "string"
        ? value
        : policy && isJsonObject(policy.config) && typeof policy.config.name === "string"
          ? policy.config.name
          : null;
    if (name === null) return undefined;
    if (name === "float32" || name === "int32") return name;
    if (ref.className === "InputLayer" && /^u?int/.test(name)) return "int32";
    this.notes.push(`Layer "${ref.name}" used dtype ${name}; TensorFlow.js computes it in float32`);
    return "float32";
  }

  /**
   * Initializers only shape weights the file then overwrites, so one tfjs cannot build is left to
   * tfjs' default rather than refused.
   */
  private initializer(value: Json): Json | undefined {
    if (value === null) return null;
    if (typeof value === "string") {
      const cls = INITIALIZER_ALIASES[value] ?? value;
      return this.options.classes.initializers.has(cls) ? { class_name: cls, config: {} } : undefined;
    }
    const o = asKerasObject(value);
    if (!o) return undefined;
    const cls = INITIALIZER_ALIASES[o.className] ?? o.className;
    if (!this.options.classes.initializers.has(cls) || customOrigin(o)) return undefined;
    const config: JsonObject = isJsonObject(o.config) ? { ...o.config } : {};
    if (cls === "VarianceScaling" && config.distribution === "untruncated_normal") config.distribution = "normal";
    return { class_name: cls, config };
  }

  /** Regularizers only act in training; kept where tfjs has them (its one class is L1L2). */
  private regularizer(ref: KerasLayerRef, key: string, value: Json): Json | undefined {
    if (value === null) return null;
    const l1l2 = (l1: Json | undefined, l2: Json | undefined): Json => ({
      class_name: "L1L2",
      config: { l1: typeof l1 === "number" ? l1 : 0, l2: typeof l2 === "number" ? l2 : 0 },
    });
    if (typeof value === "string") {
      if (value === "l1") return l1l2(0.01, 0);
      if (value === "l2") return l1l2(0, 0.01);
      if (value === "l1_l2") return l1l2(0.01, 0.01);
    }
    const o = asKerasObject(value);
    const c = o && isJsonObject(o.config) ? o.config : {};
    if (o?.className === "L1L2") return l1l2(c.l1, c.l2);
    if (o?.className === "L1") return l1l2(c.l1 ?? 0.01, 0);
    if (o?.className === "L2") return l1l2(0, c.l2 ?? 0.01);
    this.notes.push(
      `Layer "${ref.name}": dropped ${key} ${o?.className ?? JSON.stringify(value)} (training only; TensorFlow.js has no equivalent)`,
    );
    return undefined;
  }

  /** Constraints only act in training; kept where tfjs has them. */
  private constraint(ref: KerasLayerRef, key: string, value: Json): Json | undefined {
    if (value === null) return null;
    const o = asKerasObject(value);
    if (o && this.options.classes.constraints.has(o.className) && !customOrigin(o)) {
      return { class_name: o.className, config: isJsonObject(o.config) ? o.config : {} };
    }
    this.notes.push(
      `Layer "${ref.name}": dropped ${key} ${o?.className ?? JSON.stringify(value)} (training only; TensorFlow.js has no equivalent)`,
    );
    return undefined;
  }

  /** An activation changes outputs, so one tfjs does not have is refused. */
  private activation(ref: KerasLayerRef, value: Json): Json {
    if (value === null) return null;
    let name: string | null = typeof value === "string" ? value : null;
    const o = asKerasObject(value);
    // Keras 3 writes built-in activations as strings, or as {class_name: "function", config: "relu"}.
    if (o && o.className === "function" && typeof o.config === "string" && !customOrigin(o)) name = o.config;
    if (name === null) throw layerError(ref, `its activation ${JSON.stringify(value)} is custom Python code`);
    name = ACTIVATION_ALIASES[name] ?? name;
    if (this.keras3 && name === "hard_sigmoid") {
      throw layerError(ref, "Keras 3's hard_sigmoid (x/6 + 0.5) differs from TensorFlow.js' (0.2x + 0.5)");
    }
    if (!this.options.classes.activations.has(toCamelCase(name)) && !this.options.classes.activations.has(name)) {
      throw layerError(ref, `TensorFlow.js has no "${name}" activation`);
    }
    return name;
  }

  /** `inbound_nodes`, Keras 2 style: one list of input tensors per call of the layer. */
  private inboundNodes(ref: KerasLayerRef, nodes: Json | undefined): TensorRef[][] {
    if (nodes === undefined || nodes === null) return [];
    if (!Array.isArray(nodes)) throw layerError(ref, "inbound_nodes is not a list");
    return nodes.map((node) => {
      if (Array.isArray(node)) {
        // Keras 2: [[layer, node, tensor, kwargs?], …]
        return node.map((t) => {
          if (!isHistory(t)) throw layerError(ref, `unreadable inbound node ${JSON.stringify(t)}`);
          const kwargs = (t as Json[])[3];
          return [t[0], t[1], t[2], isJsonObject(kwargs) ? kwargs : {}] as TensorRef;
        });
      }
      if (isJsonObject(node)) {
        // Keras 3: {args: [keras tensors, possibly nested in lists], kwargs: {…}}
        const tensors: [string, number, number][] = [];
        collectKerasTensors(ref, node.args ?? [], tensors);
        const kwargs: JsonObject = {};
        for (const [k, v] of Object.entries(isJsonObject(node.kwargs) ? node.kwargs : {})) {
          if (containsKerasTensor(v))
            throw layerError(
              ref,
              `it is called with a tensor keyword argument (${k}), which TensorFlow.js cannot wire`,
            );
          if (v !== null) kwargs[k] = v;
        }
        return tensors.map(([l, n, t]) => [l, n, t, kwargs] as TensorRef);
      }
      throw layerError(ref, `unreadable inbound node ${JSON.stringify(node)}`);
    });
  }
}

function layerRef(entry: Json, o: KerasObject, index: number): KerasLayerRef {
  const fromConfig = isJsonObject(o.config) && typeof o.config.name === "string" ? o.config.name : null;
  const fromEntry = isJsonObject(entry) && typeof entry.name === "string" ? entry.name : null;
  return { name: fromConfig ?? fromEntry ?? `#${index + 1}`, className: o.className };
}

/**
 * The layers a model config lists, in order, untranslated: a .keras archive names each layer's
 * weight group after its class and its rank among layers of that class, in this order.
 */
export function kerasConfigLayers(raw: unknown): KerasLayerRef[] {
  const root = isJsonObject(raw) && isJsonObject(raw.model_config) ? raw.model_config : raw;
  const cfg = asKerasObject(root)?.config;
  const entries = Array.isArray(cfg) ? cfg : isJsonObject(cfg) && Array.isArray(cfg.layers) ? cfg.layers : [];
  return entries.flatMap((entry, i) => {
    const o = asKerasObject(entry);
    return o ? [layerRef(entry, o, i)] : [];
  });
}

function collectKerasTensors(ref: KerasLayerRef, v: Json, out: [string, number, number][]): void {
  if (Array.isArray(v)) {
    for (const item of v) collectKerasTensors(ref, item, out);
    return;
  }
  const o = asKerasObject(v);
  if (o?.className === "__keras_tensor__" && isJsonObject(o.config) && isHistory(o.config.keras_history)) {
    const [layer, node, tensor] = o.config.keras_history;
    out.push([layer, node, tensor]);
    return;
  }
  throw layerError(
    ref,
    `it is called with a non-tensor argument ${JSON.stringify(v)}, which TensorFlow.js cannot pass`,
  );
}

function containsKerasTensor(v: Json): boolean {
  if (Array.isArray(v)) return v.some(containsKerasTensor);
  if (!isJsonObject(v)) return false;
  return v.class_name === "__keras_tensor__" || Object.values(v).some(containsKerasTensor);
}

/** `input_layers` / `output_layers`: a [layer, node, tensor] triple, a list of them, or (Keras 3) a dict. */
function tensorList(v: Json, key: string): [string, number, number][] {
  if (isHistory(v)) return [[v[0], v[1], v[2]]];
  if (Array.isArray(v)) return v.flatMap((x) => tensorList(x, key));
  if (isJsonObject(v)) return Object.values(v).flatMap((x) => tensorList(x, key));
  throw new Error(`The functional model config has an unreadable ${key}: ${JSON.stringify(v)}`);
}

/** Keras 3's snake_case of a class name (keras.src.utils.naming.to_snake_case), which names weight groups. */
export function kerasSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, "")
    .replace(/(.)([A-Z][a-z]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}
