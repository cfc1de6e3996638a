// Command-line parsing on Node's built-in util.parseArgs, with errors reworded into one line each.
import { parseArgs } from 'node:util';

/** A mistake of the user's (bad argument, missing or malformed file): one line on stderr, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An option of a command: its parseArgs type, value name and help text. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder in the help, e.g. FILE (string options). */
  value?: string;
  help: string;
}

export type Specs = Record<string, OptionSpec>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parses argv against the command's options; every parse failure becomes a one-line UsageError. */
export function parse(command: string, argv: string[], specs: Specs, maxPositionals = 0): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, s] of Object.entries(specs)) options[name] = s.short === undefined ? { type: s.type } : { type: s.type, short: s.short };
  let result;
  try {
    result = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    // "Unknown option '--frob'", "Option '--lr <value>' argument missing", "Option '-q, --quiet' does not take an argument".
    const option = /'(?:-\w, )?(-{1,2}[^' ,<]+)/.exec(err.message)?.[1]?.trim();
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new UsageError(`unknown option ${option ?? ''} for '${command}' (see 'simdnet ${command} --help')`);
    }
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const spec = option === undefined ? undefined : specs[option.replace(/^-+/, '')];
      if (spec?.type === 'boolean') throw new UsageError(`option ${option} takes no value`);
      throw new UsageError(`option ${option ?? ''} needs a value${spec?.value ? ` (${spec.value})` : ''}`);
    }
    throw new UsageError(err.message.split('\n')[0]!);
  }
  if (result.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument '${result.positionals[maxPositionals]}' for '${command}' (see 'simdnet ${command} --help')`);
  }
  return { values: result.values as Parsed['values'], positionals: result.positionals };
}

/** A string option's value, rejecting an empty string. */
export function str(values: Parsed['values'], name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`option --${name} needs a non-empty value`);
  return v;
}

/** A number option; `kind` says what is allowed. */
export function num(values: Parsed['values'], name: string, kind: 'positive-int' | 'positive' | 'nonnegative' | 'int' | 'probability'): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  const v = Number(raw);
  const ok = Number.isFinite(v) && {
    'positive-int': Number.isInteger(v) && v >= 1,
    positive: v > 0,
    nonnegative: v >= 0,
    int: Number.isInteger(v) && v >= 0 && v <= 0xffffffff,
    probability: v > 0 && v <= 1,
  }[kind];
  if (!ok) {
    const want = {
      'positive-int': 'a positive integer',
      positive: 'a positive number',
      nonnegative: 'a number ≥ 0',
      int: 'an integer in [0, 2^32)',
      probability: 'a number in (0, 1]',
    }[kind];
    throw new UsageError(`option --${name} must be ${want}, got '${raw}'`);
  }
  return v;
}

/** A choice among fixed words. */
export function choice<T extends string>(values: Parsed['values'], name: string, allowed: readonly T[]): T | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  if (!allowed.includes(raw as T)) throw new UsageError(`option --${name} must be one of ${allowed.join(', ')}; got '${raw}'`);
  return raw as T;
}

/** The help text of a command's options, aligned. */
export function optionHelp(specs: Specs): string {
  const rows = Object.entries(specs).map(([name, s]) => [
    `${s.short ? `-${s.short}, ` : '    '}--${name}${s.type === 'string' ? ` ${s.value ?? 'VALUE'}` : ''}`, s.help,
  ] as const);
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  return rows.map(([a, b]) => `  ${a.padEnd(width)}${b}`).join('\n');
}
