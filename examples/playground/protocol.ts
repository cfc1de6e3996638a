// Messages between the page and the training worker.
import type { DatasetName } from './datasets.js';

export interface TrainConfig {
  dataset: DatasetName;
  noise: number;
  layers: number[];
  activation: 'tanh' | 'relu' | 'leakyRelu' | 'sigmoid';
  init: 'small' | 'xavier' | 'he' | 'course';
  optimizer: 'gd' | 'momentum' | 'rmsprop' | 'adam';
  learningRate: number;
  iterations: number;
  batchSize: number | null;
  seed: number;
  /** Cells across the decision-boundary grid. */
  grid: number;
}

export type ToWorker =
  | { type: 'train'; config: TrainConfig }
  | { type: 'stop' }
  | { type: 'save' };

export interface Bounds { x0: number; x1: number; y0: number; y1: number }

export type FromWorker =
  | { type: 'ready'; build: string }
  | { type: 'data'; x: Float64Array; y: Float64Array; labels: number[]; classes: number; bounds: Bounds }
  | {
    type: 'progress'; iteration: number; total: number; cost: number; accuracy: number; elapsedMs: number;
    /** Per grid cell (row 0 at the bottom): predicted class and its probability. */
    gridClass: Uint8Array; gridConfidence: Float32Array;
  }
  | { type: 'done'; iteration: number; cost: number; accuracy: number; elapsedMs: number; stopped: boolean }
  | { type: 'model'; bytes: Uint8Array }
  | { type: 'error'; message: string };
