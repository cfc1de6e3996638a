// The CLI's heavy readers are optional dependencies (h5wasm for HDF5, @resvg/resvg-wasm for PNG plots,
// csv-parse for CSV): each is imported on first use, and a missing one gives a one-line fix.

/** True when `error` says that `pkg` itself could not be found (not some other failure inside it). */
export function isMissingPackage(error: unknown, pkg: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = e?.code;
  const message = typeof e?.message === 'string' ? e.message : '';
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)|Failed to resolve module/.test(message)) &&
    message.includes(pkg);
}

/** Rethrows a failed import of an optional package: a missing package becomes "simdnet: <purpose> needs … npm install <pkg>". */
export function optionalImportFailed(error: unknown, pkg: string, purpose: string): never {
  if (isMissingPackage(error, pkg)) {
    throw new Error(`simdnet: ${purpose} needs the optional package ${pkg}, which is not installed: run \`npm install ${pkg}\``, { cause: error });
  }
  throw error;
}
