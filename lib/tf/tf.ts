import type * as TfNamespace from "@tensorflow/tfjs";

/** The tfjs namespace, whichever package (tfjs, tfjs-node, tfjs-node-gpu) provided it. */
export type Tf = typeof TfNamespace;
