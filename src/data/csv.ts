/**
 * CSV data sets: a header row naming the columns, then one example per row. Parsing (quotes,
 * embedded commas and newlines, CRLF, BOM) is csv-parse's synchronous parser, which runs in
 * Node (an optional dependency, loaded on first use); this module turns the parsed table into a
 * numeric matrix plus a label column.
 */
import { createRequire } from 'node:module';
import { optionalImportFailed } from '../runtime/optional.js';

type CsvParse = (input: string, options: Record<string, unknown>) => unknown;
let csvParse: CsvParse | undefined;

/** csv-parse (an optional dependency), loaded synchronously on first use; a missing one names `npm install csv-parse`. */
function parse(input: string, options: Record<string, unknown>): unknown {
  if (csvParse === undefined) {
    try {
      csvParse = (createRequire(import.meta.url)('csv-parse/sync') as { parse: CsvParse }).parse;
    } catch (e) {
      optionalImportFailed(e, 'csv-parse', 'reading CSV files');
    }
  }
  return csvParse(input, options);
}

/** A parsed CSV file: the header and the data rows as strings. */
export interface CsvTable {
  columns: string[];
  rows: string[][];
}

/** Features (examples-first, m × n) and, when a label column was named, the raw label of each example. */
export interface CsvDataset {
  /** Row-major (m × n): one row per example. */
  X: { data: Float64Array; shape: [number, number] };
  /** Names of the n feature columns, in order. */
  features: string[];
  /** The label column's name, or null when the data has none. */
  labelColumn: string | null;
  /** The label column's text per example (trimmed), or null. */
  labels: string[] | null;
}

/** Options of csvDataset. */
export interface CsvDatasetOptions {
  /** Column holding the labels (name, or 0-based index as a string of digits); null for none. */
  label?: string | null;
  /** Feature columns to keep, in this order (default: every column but the label). */
  features?: readonly string[];
}

/** Parses CSV text with a header row. Throws an Error naming the line of a malformed row. */
export function parseCsv(text: string): CsvTable {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (e) {
    throw new Error(`CSV: ${(e as Error).message}`);
  }
  if (records.length === 0) throw new Error('CSV: the file is empty');
  const columns = records[0]!;
  if (columns.length === 0 || columns.every((c) => c === '')) throw new Error('CSV: the header row is empty');
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new Error(`CSV: the header names column "${c}" twice`);
    seen.add(c);
  }
  if (records.length === 1) throw new Error('CSV: the file has a header but no data rows');
  return { columns, rows: records.slice(1) };
}

/** Finds a column by name, or by 0-based index when `name` is all digits and no column has that name. */
function columnIndex(columns: readonly string[], name: string, what: string): number {
  const byName = columns.indexOf(name);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(name) && Number(name) < columns.length) return Number(name);
  throw new Error(`CSV: no ${what} column "${name}" (columns: ${columns.join(', ')})`);
}

/** A decimal number: optional sign, digits with an optional point, optional exponent (no hex, binary, octal or Infinity). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a feature value: a finite decimal number (Number() alone would also read 0x10, 0b1 and 0o7). */
function parseValue(text: string, row: number, column: string): number {
  const value = DECIMAL.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value)) {
    // +2: data rows start on the file's second line; row is 0-based.
    throw new Error(`CSV: line ${row + 2}, column "${column}": ${text === '' ? 'empty value' : `"${text}" is not a number`}`);
  }
  return value;
}

/** Turns a parsed table into a numeric feature matrix and the label column's raw text. */
export function tableToDataset(table: CsvTable, options: CsvDatasetOptions = {}): CsvDataset {
  const { columns, rows } = table;
  const labelIndex = options.label === undefined || options.label === null ? -1 : columnIndex(columns, options.label, 'label');
  const featureIndex = options.features !== undefined
    ? options.features.map((f) => columnIndex(columns, f, 'feature'))
    : columns.map((_, i) => i).filter((i) => i !== labelIndex);
  if (featureIndex.length === 0) throw new Error('CSV: no feature columns left besides the label');
  if (featureIndex.includes(labelIndex)) throw new Error(`CSV: column "${columns[labelIndex]}" cannot be both the label and a feature`);
  const m = rows.length;
  const n = featureIndex.length;
  const data = new Float64Array(m * n);
  const labels: string[] | null = labelIndex >= 0 ? new Array<string>(m) : null;
  for (let r = 0; r < m; r++) {
    const row = rows[r]!;
    for (let f = 0; f < n; f++) {
      const c = featureIndex[f]!;
      data[r * n + f] = parseValue(row[c]!, r, columns[c]!);
    }
    if (labels !== null) {
      const label = row[labelIndex]!;
      if (label === '') throw new Error(`CSV: line ${r + 2}: the label column "${columns[labelIndex]}" is empty`);
      labels[r] = label;
    }
  }
  return {
    X: { data, shape: [m, n] },
    features: featureIndex.map((i) => columns[i]!),
    labelColumn: labelIndex >= 0 ? columns[labelIndex]! : null,
    labels,
  };
}

/** Parses CSV text (header + rows) into features and an optional label column. */
export function csvDataset(text: string, options: CsvDatasetOptions = {}): CsvDataset {
  return tableToDataset(parseCsv(text), options);
}
