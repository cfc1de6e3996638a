// What every consumer page and Node script runs: XOR and the course's planar set, through the public API only.
export async function trainBoth(simdnet) {
  const { Network, loadPlanarDataset } = simdnet;
  const xor = await Network.create({ layers: [2, 4, 1], hidden: 'tanh', seed: 1 });
  const X = { data: new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), shape: [4, 2] };
  const Y = { data: new Float32Array([0, 1, 1, 0]), shape: [4, 1] };
  await xor.fit(X, Y, { iterations: 2000, learningRate: 1 });
  const xorAccuracy = xor.evaluate(X, Y).accuracy;

  const { X: PX, Y: PY } = loadPlanarDataset();
  const planar = await Network.create({ layers: [2, 4, 1], hidden: 'tanh', init: 'small', rng: 'numpy', seed: 2 });
  await planar.fit(PX, PY, { iterations: 10000, learningRate: 1.2, layout: 'features-first' });
  const planarAccuracy = planar.evaluate(PX, PY, { layout: 'features-first' }).accuracy;
  return { xor: xorAccuracy, planar: planarAccuracy, build: planar.kernels?.build ?? null };
}
