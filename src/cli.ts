/**
 * The `simdnet` command: train, predict, evaluate, info, export. `main` returns the exit code: 0 on
 * success, 2 for a user's mistake (bad option, missing or malformed file), reported as one line
 * on stderr with no stack trace, and 1 for anything else (the stack is printed with SIMDNET_DEBUG=1).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { realpathSync } from 'node:fs';
import { UsageError } from './cli/args.js';
import { evaluate, exportModel, help, importModel, info, predict, train, type Io } from './cli/commands.js';
import { trainStream, wantsStream } from './cli/train-stream.js';

const COMMANDS: Record<string, (argv: string[], io: Io) => Promise<number>> = { train, predict, evaluate, info, export: exportModel, import: importModel };

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** One line: the message with newlines folded and the library's "simdnet: " prefix dropped. */
function oneLine(message: string): string {
  return message.replace(/^simdnet: /, '').replace(/\s*\n\s*/g, ' ').trim();
}

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h') return help(io);
    if (command === 'help') return help(io, rest[0]);
    if (command === '--version' || command === '-v' || command === 'version') {
      io.stdout.write(`${version()}\n`);
      return 0;
    }
    const run = COMMANDS[command];
    if (run === undefined) throw new UsageError(`unknown command '${command}' (commands: train, predict, evaluate, info, export, import; see 'simdnet --help')`);
    if (command === 'train' && !rest.includes('--help') && !rest.includes('-h') && (await wantsStream(rest))) return await trainStream(rest, io);
    return await run(rest, io);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    // The library's own argument checks start with "simdnet: "; they are the user's options too.
    const user = err instanceof UsageError || /^simdnet: /.test(err.message);
    io.stderr.write(`simdnet: ${user ? '' : 'error: '}${oneLine(err.message)}\n`);
    if (process.env.SIMDNET_DEBUG) io.stderr.write(`${err.stack ?? ''}\n`);
    return user ? 2 : 1;
  }
}

/** True when this file is the program being run (`node dist/cli.js`, `tsx src/cli.ts`). */
function isEntry(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** Runs the CLI on process.argv and sets the exit code (stdout is flushed before Node exits). */
export async function run(): Promise<void> {
  // `simdnet predict … | head`: a closed pipe ends the program quietly, as it does for other Unix tools.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  process.exitCode = await main(process.argv.slice(2));
}

if (isEntry()) await run();
