// The Gradient Checking notebook's published differences (no data files needed):
//   1-D, J = θ·x, θ = 4: x = 2 (2021 revision) 2.919335883291695e-10; x = 3 (v1.1 revision) 7.814075313343006e-11
//   N-D, gradient_check_n_test_case() (np.random.seed(1): x (4, 3), y = [1, 1, 0], W1 (5, 4), b1, W2 (3, 5), b2, W3 (1, 3), b3):
//     with the notebook's buggy backward_propagation_n 0.2850931567761623, with the bugs fixed 1.1890913024229996e-07
//     (the 2021 notebook's expected_values; their last digits depend on the BLAS's dot product).
import { describe, expect, it } from 'vitest';
import * as course from '../../src/course.js';
import { createRandom } from '../../src/rng.js';
import { rel } from './course2-shared.js';

function testCase(): { X: course.Matrix; Y: course.Matrix; parameters: course.Parameters } {
  const r = createRandom('numpy', 1);
  const draw = (rows: number, cols: number) => course.matrix(rows, cols, r.randnFill(new Float64Array(rows * cols)));
  const X = draw(4, 3);
  const Y = course.fromRows([[1, 1, 0]]);
  return { X, Y, parameters: { W1: draw(5, 4), b1: draw(5, 1), W2: draw(3, 5), b2: draw(3, 1), W3: draw(1, 3), b3: draw(1, 1) } };
}

for (const engine of ['plain TypeScript', 'WASM'] as const) {
  describe(`Gradient Checking notebook (${engine} GEMM)`, () => {
    it('1-D: 2.919335883291695e-10 (x = 2), 7.814075313343006e-11 (x = 3)', async () => {
      if (engine === 'WASM') await course.ready();
      expect(course.gradientCheck(2, 4)).toBe(2.919335883291695e-10);
      expect(course.gradientCheck(3, 4)).toBe(7.814075313343006e-11);
    });

    it('N-D: 0.2850931567761623 with the notebook bugs, 1.1890913024229996e-07 without (10 significant digits)', async () => {
      if (engine === 'WASM') await course.ready();
      const { X, Y, parameters } = testCase();
      const { cache } = course.forwardPropagationN(X, Y, parameters);
      const buggy = course.gradientCheckN(parameters, course.backwardPropagationN(X, Y, cache, true), X, Y);
      expect(rel(buggy.difference, 0.2850931567761623)).toBeLessThan(5e-10);
      const fixed = course.gradientCheckN(parameters, course.backwardPropagationN(X, Y, cache), X, Y);
      expect(rel(fixed.difference, 1.1890913024229996e-07)).toBeLessThan(5e-10);
    });
  });
}
