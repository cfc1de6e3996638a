// The seeded W = randn / √n_prev initialiser the second course's reg_utils and the first course's week 4 share.
import { initWeights } from '../init.js';
import type { Random } from '../rng.js';
import { matrix, rngOf, type Parameters } from './matrix.js';

/** np.random.seed(seed); W_l = randn(n_l, n_{l−1}) / √n_{l−1}, b_l = 0 (reg_utils.initialize_parameters with seed 3). */
export function initializeParametersDeepSeeded(layerDims: number[], seed: number | Random): Parameters {
  const rng = rngOf(seed);
  const parameters: Parameters = {};
  for (let l = 1; l < layerDims.length; l++) {
    const rows = layerDims[l]!, cols = layerDims[l - 1]!;
    parameters[`W${l}`] = matrix(rows, cols, initWeights('course', rng, rows, cols));
    parameters[`b${l}`] = matrix(rows, 1);
  }
  return parameters;
}
