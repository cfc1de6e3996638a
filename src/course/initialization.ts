// The second course's Initialization notebook: zeros, large random (randn·10) and He initialisation of the
// [n_x, 10, 5, 1] relu/relu/sigmoid net, trained by batch gradient descent on the circles data (loadCircles).
import { initWeights, type InitKind } from '../init.js';
import type { Random } from '../rng.js';
import { badChoice, matrix, rngOf, type Matrix, type Parameters } from './matrix.js';
import { backwardPropagationThreeLayer, computeLoss, forwardPropagationThreeLayer, updateParametersWithGd } from './three-layer.js';

function initialize(layersDims: number[], kind: InitKind, rng: Random | null): Parameters {
  const parameters: Parameters = {};
  for (let l = 1; l < layersDims.length; l++) {
    const rows = layersDims[l]!, cols = layersDims[l - 1]!;
    parameters[`W${l}`] = kind === 'zeros' || rng === null ? matrix(rows, cols) : matrix(rows, cols, initWeights(kind, rng, rows, cols));
    parameters[`b${l}`] = matrix(rows, 1);
  }
  return parameters;
}

/** initialize_parameters_zeros: every W_l and b_l zero. */
export function initializeParametersZeros(layersDims: number[]): Parameters {
  return initialize(layersDims, 'zeros', null);
}

/** initialize_parameters_random: np.random.seed(3); W_l = randn(n_l, n_{l−1})·10 (scale 10), b_l = 0. */
export function initializeParametersRandom(layersDims: number[], seed: number | Random = 3, scale = 10): Parameters {
  return initialize(layersDims, { scale }, rngOf(seed));
}

/** initialize_parameters_he: np.random.seed(3); W_l = randn(n_l, n_{l−1})·√(2 / n_{l−1}), b_l = 0. */
export function initializeParametersHe(layersDims: number[], seed: number | Random = 3): Parameters {
  return initialize(layersDims, 'he', rngOf(seed));
}

/** Options of initializationModel (the notebook's defaults). */
export interface InitializationModelOptions {
  learningRate?: number;
  numIterations?: number;
  initialization?: 'zeros' | 'random' | 'he';
}

/**
 * The Initialization notebook's model(): layers [n_x, 10, 5, 1], batch gradient descent (lr 0.01, 15000 iterations),
 * the unclipped compute_loss recorded every 1000 iterations (so `costs[0]` is Infinity for the random init, as printed).
 */
export function initializationModel(X: Matrix, Y: Matrix, options: InitializationModelOptions = {}): { parameters: Parameters; costs: number[] } {
  const { learningRate = 0.01, numIterations = 15000, initialization = 'he' } = options;
  const layersDims = [X.shape[0], 10, 5, 1];
  let parameters = initialization === 'zeros' ? initializeParametersZeros(layersDims)
    : initialization === 'random' ? initializeParametersRandom(layersDims)
      : initialization === 'he' ? initializeParametersHe(layersDims)
        : badChoice('initialization', initialization, 'zeros, random or he');
  const costs: number[] = [];
  for (let i = 0; i < numIterations; i++) {
    const { A3, cache } = forwardPropagationThreeLayer(X, parameters);
    const cost = computeLoss(A3, Y);
    parameters = updateParametersWithGd(parameters, backwardPropagationThreeLayer(X, Y, cache), learningRate);
    if (i % 1000 === 0) costs.push(cost);
  }
  return { parameters, costs };
}
