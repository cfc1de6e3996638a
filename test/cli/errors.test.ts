// User mistakes: one line on stderr naming the problem, exit code 2, nothing on stdout, no stack trace.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir('errors');
afterAll(cleanup);

beforeAll(async () => {
  writeFileSync(join(dir, 'good.csv'), 'x1,x2,y\n1,2,0\n2,1,1\n3,3,0\n');
  writeFileSync(join(dir, 'ragged.csv'), 'x1,x2,y\n1,2,0\n2,1\n');
  writeFileSync(join(dir, 'text.csv'), 'x1,x2,y\n1,abc,0\n2,1,1\n');
  writeFileSync(join(dir, 'one-class.csv'), 'x1,x2,y\n1,2,0\n2,1,0\n');
  writeFileSync(join(dir, 'wide.csv'), 'a,b,c,y\n1,2,3,0\n2,1,3,1\n');
  writeFileSync(join(dir, 'notes.txt'), 'hello');
  writeFileSync(join(dir, 'fake.h5'), 'not really hdf5');
  writeFileSync(join(dir, 'fake.snet'), 'SNET but not a model');
  const r = await runCli(['train', '--data', 'good.csv', '--label', 'y', '--layers', '2', '--iterations', '5', '--save', 'm.snet', '-q'], dir);
  expect(r.code).toBe(0);
});

const CASES: [string[], RegExp][] = [
  [['frobnicate'], /unknown command 'frobnicate'/],
  [['train', '--frob'], /unknown option --frob for 'train'/],
  [['train', 'extra'], /unexpected argument 'extra'/],
  [['train', '--lr'], /option --lr needs a value/],
  [['train', '--lr', 'fast'], /--lr must be a positive number, got 'fast'/],
  [['train', '--iterations', '0'], /--iterations must be a positive integer, got '0'/],
  [['train', '--iterations', '10', '--epochs', '2'], /--iterations or --epochs, not both/],
  [['train', '--layers', '3,x'], /--layers takes positive integers/],
  [['train', '--hidden', 'swish'], /--hidden must be one of relu, tanh/],
  [['train', '--hidden', 'relu,tanh', '--layers', '4'], /--hidden lists 2 activations but --layers has 1/],
  [['train', '--dtype', 'float16'], /--dtype must be one of float32, float64/],
  [['train', '--optimizer', 'sgd'], /--optimizer must be one of gd, momentum, rmsprop, adam/],
  [['train', '--keep-prob', '1.5'], /--keep-prob must be a number in \(0, 1\]/],
  [['train', '--batch-size', '1000', '--iterations', '1'], /--batch-size 1000 is larger than the 400 training examples/],
  [['train', '--data', 'good.csv', '--label', 'y', '--lr', '1e400'], /--lr must be a positive number, got '1e400'/],
  [['train', '--plot', 'out.gif'], /--plot writes \.svg or \.png files; got 'out\.gif'/],
  [['train', '--no-save', '--save', 'x.snet'], /--save FILE or --no-save, not both/],
  [['train', '--save', 'no/such/dir/m.snet', '--iterations', '1', '-q'], /cannot write 'no\/such\/dir\/m\.snet': no such directory 'no\/such\/dir'/],
  [['train', '--data', 'missing.csv', '--label', 'y'], /cannot read data file 'missing\.csv': no such file/],
  [['train', '--data', 'notes.txt'], /--data must be 'planar', an HDF5 file .* or a CSV file .*; got 'notes\.txt'/],
  [['train', '--data', 'good.csv'], /'good\.csv': name the label column with --label COLUMN/],
  [['train', '--data', 'good.csv', '--label', 'z'], /no label column "z" \(columns: x1, x2, y\)/],
  [['train', '--data', 'ragged.csv', '--label', 'y'], /'ragged\.csv': CSV: Invalid Record Length/],
  [['train', '--data', 'text.csv', '--label', 'y'], /line 2, column "x2": "abc" is not a number/],
  [['train', '--data', 'one-class.csv', '--label', 'y'], /a single class \('0'\)/],
  [['train', '--data', 'good.csv', '--label', 'y', '--x', 'a'], /--x and --y pick HDF5 datasets/],
  [['train', '--data', 'fake.h5'], /'fake\.h5': not an HDF5 file/],
  [['train', '--data', 'planar', '--label', 'y'], /do not apply to the built-in planar data/],
  [['train', '--data', 'good.csv', '--label', 'y', '--test', 'wide.csv'], /'wide\.csv': CSV: no feature column "x1"/],
  [['predict', '--model', 'missing.snet', '--data', 'planar'], /cannot read model file 'missing\.snet': no such file/],
  [['predict', '--model', 'fake.snet', '--data', 'planar'], /'fake\.snet' is not a usable simdnet model/],
  [['predict', '--model', 'm.snet'], /name the data with --data FILE/],
  [['predict', '--model', 'm.snet', '--data', 'wide.csv'], /no feature column "x1"/],
  [['evaluate', '--model', 'm.snet', '--data', 'planar', '--plot', 'p.svg', '--y', 'q'], /do not apply to the built-in planar data/],
  [['info'], /name the model: 'simdnet info FILE'/],
  [['info', 'notes.txt'], /'notes\.txt' is not a usable simdnet model/],
  [['info', 'a.snet', 'b.snet'], /unexpected argument 'b\.snet'/],
  [['train', '--json', '--quiet=yes'], /option --quiet takes no value/],
];

describe.concurrent('bad arguments and files', () => {
  // Run the cases two at a time (the machine has two cores); each is its own process.
  it.each(CASES)('simdnet %j → exit 2 and one line', async (args, message) => {
    const r = await runCli(args, dir);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^simdnet: /);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
  });
});
