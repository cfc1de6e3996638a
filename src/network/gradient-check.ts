// The course's gradient check: analytic backprop against centred differences of the cost.
import type { FeaturesFirst } from '../data/input.js';
import type { NetPlan } from './plan.js';
import type { GradientCheckResult } from './types.js';

/** Checks every parameter of `plan` on normalised features-first data (the workspace is grown to m). */
export function gradientCheck(plan: NetPlan, input: FeaturesFirst, target: FeaturesFirst, eps: number, l2: number, worst: number): GradientCheckResult {
  const m = input.cols;
  plan.ensureWorkspace(m);
  const Xt = plan.inputBuffer().view(input.rows, m).set(input.data);
  const Yt = plan.targetBuffer().view(target.rows, m).set(target.data);
  plan.forward(Xt, m);
  plan.backward(Xt, Yt, m, l2, false);
  const analytic: number[] = [];
  const numeric: number[] = [];
  const names: { parameter: string; index: number }[] = [];
  plan.layers.forEach((layer, l) => {
    for (const [param, grad, name] of [[layer.W, layer.dW, `W${l + 1}`], [layer.b, layer.db, `b${l + 1}`]] as const) {
      const g = grad.toArray();
      for (let i = 0; i < param.length; i++) {
        const original = param.data[i]!;
        param.data[i] = original + eps;
        plan.forward(Xt, m);
        const plus = plan.batchCost(Yt, m, l2);
        param.data[i] = original - eps;
        plan.forward(Xt, m);
        const minus = plan.batchCost(Yt, m, l2);
        param.data[i] = original;
        analytic.push(g[i]!);
        numeric.push((plus - minus) / (2 * eps));
        names.push({ parameter: name, index: i });
      }
    }
  });
  let diff = 0, na = 0, nn = 0;
  for (let i = 0; i < analytic.length; i++) {
    diff += (analytic[i]! - numeric[i]!) ** 2;
    na += analytic[i]! ** 2;
    nn += numeric[i]! ** 2;
  }
  const denom = Math.sqrt(na) + Math.sqrt(nn);
  const order = analytic.map((_, i) => i).sort((a, b) => Math.abs(analytic[b]! - numeric[b]!) - Math.abs(analytic[a]! - numeric[a]!));
  return {
    difference: denom === 0 ? 0 : Math.sqrt(diff) / denom,
    parameters: analytic.length,
    worst: order.slice(0, worst).map((i) => ({ ...names[i]!, analytic: analytic[i]!, numeric: numeric[i]! })),
  };
}
