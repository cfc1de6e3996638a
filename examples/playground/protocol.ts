// The playground's training settings and plot bounds.
import type { DatasetName } from './datasets.js';

export interface TrainConfig {
  dataset: DatasetName;
  noise: number;
  layers: number[];
  activation: 'tanh' | 'relu' | 'leakyRelu' | 'sigmoid';
  /** 'scale10' is randn·10, the Initialization notebook's "random" (init { scale: 10 }). */
  init: 'small' | 'xavier' | 'he' | 'course' | 'zeros' | 'scale10';
  optimizer: 'gd' | 'momentum' | 'rmsprop' | 'adam';
  learningRate: number;
  iterations: number;
  batchSize: number | null;
  /** L2 λ (0 = off) and the dropout keep probability (1 = off). */
  l2: number;
  keepProb: number;
  seed: number;
  /** Cells across the decision-boundary grid. */
  grid: number;
}

export interface Bounds { x0: number; x1: number; y0: number; y1: number }
