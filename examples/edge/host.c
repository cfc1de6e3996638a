// A minimal C host for a simdnet edge module (model.wasm from exportEdgeWasm), written against the standard
// WebAssembly C API, which wasmtime, wasmer and WAMR implement. No imports, no WASI. See docs/edge.md.
//
//   build (wasmtime):  cc host.c -I$WASMTIME/include -L$WASMTIME/lib -lwasmtime -o host   (the C API release)
//                      cc host.c -Iinclude -L$DIR -l:libwasmtime.so -Wl,-rpath,$DIR -o host   (a bare library, such
//                      as the one in the wasmtime Python wheel, as the test uses; include/wasm.h: the standard header)
//   build (wasmer):    cc host.c $(wasmer config --cflags) $(wasmer config --libs) -o host
//   build (WAMR):      cc host.c -I$WAMR/core/iwasm/include -L$WAMR/build -liwasm -lm -lpthread -o host
//   run:               ./host model.wasm 0.5 1.25 -3 7       (one example: n0 feature values; prints n_y outputs)
//                      ./host model.wasm -f inputs.f32       (m examples: a file of m × n0 f32, row-major,
//                                                            little-endian; prints one line of n_y outputs each)
//                      ./host model.wasm -f inputs.f32 -t N  (the same, then times predict: N calls of one example
//                                                            and N / m calls of all m; per example, on stderr)
// Exit status: 0; 1 when the engine or the module fails (a module's error code is printed as "failed (code)");
// 2 for wrong arguments. test/edge/wasm-c-api.test.ts builds this file against include/wasm.h and runs it on
// wasmtime's library.
//
// Portability points (each one broke this host on WAMR 2.4 before):
// - The header is <wasm_c_api.h> (WAMR) when it is on the include path, else <wasm.h> (wasmtime, wasmer, the
//   reference API; include/wasm.h here is a copy). WAMR's vectors differ from wasm.h's, so never build against
//   include/wasm.h and link WAMR: WAMR's header wins whenever -I$WAMR/core/iwasm/include is given.
// - The engine is created before any wasm_*_vec_new: WAMR's allocator is set up by wasm_engine_new.
// - Export names are compared by length without a trailing NUL: WAMR counts one in wasm_exporttype_name.
// - Every wasm_val_vec_t comes from WASM_ARRAY_VEC / WASM_EMPTY_VEC: WAMR's vectors have three more fields
//   (num_elems, size_of_elem, lock) that a `{ size, data }` initialiser leaves wrong.
// - WAMR's wasm_instance_new gives the instance an app heap of its own inside the module's memory unless the
//   module exports malloc/free; simdnet's edge modules export both (malloc is alloc), so WAMR turns it off.
//
// The module's exports: predict(in_ptr, m, out_ptr) -> status, input_size(), output_size(), alloc(bytes),
// malloc(bytes) (= alloc), free(ptr), last_error(ptr_out) -> len, model_info(ptr_out) -> len, memory.
// Pointers are byte offsets into `memory`; inputs and outputs are row-major f32 (little-endian, as
// WebAssembly memory always is).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#if defined(__has_include)
#  if __has_include(<wasm_c_api.h>)
#    include <wasm_c_api.h> // WAMR's name for the API, with its own vector layout: checked first
#  else
#    include <wasm.h>
#  endif
#else
#  include <wasm.h> // with WAMR and an old compiler: -include wasm_c_api.h, or rename
#endif

static wasm_extern_vec_t exports;
static wasm_exporttype_vec_t export_types;

/** The export called `name`, or NULL. A trailing NUL in the export's name (WAMR) is ignored. */
static wasm_extern_t* find(const char* name) {
  const size_t len = strlen(name);
  for (size_t i = 0; i < export_types.size && i < exports.size; i++) {
    const wasm_name_t* n = wasm_exporttype_name(export_types.data[i]);
    size_t size = n->size;
    if (size > 0 && n->data[size - 1] == '\0') size--;
    if (size == len && memcmp(n->data, name, len) == 0) return exports.data[i];
  }
  return NULL;
}

/** Calls an exported function with 0, 1 or 3 i32 arguments; returns its i32 result (0 when it has none). */
static int32_t call(const char* name, size_t nargs, int32_t a, int32_t b, int32_t c) {
  wasm_extern_t* e = find(name);
  wasm_func_t* f = e == NULL ? NULL : wasm_extern_as_func(e);
  if (f == NULL) { fprintf(stderr, "missing export %s\n", name); exit(1); }
  if (wasm_func_param_arity(f) != nargs || wasm_func_result_arity(f) > 1) {
    fprintf(stderr, "export %s has an unexpected signature\n", name);
    exit(1);
  }
  wasm_val_t args1[1] = { WASM_I32_VAL(a) };
  wasm_val_t args3[3] = { WASM_I32_VAL(a), WASM_I32_VAL(b), WASM_I32_VAL(c) };
  wasm_val_t result[1] = { WASM_INIT_VAL };
  wasm_val_vec_t none = WASM_EMPTY_VEC, one = WASM_ARRAY_VEC(args1), three = WASM_ARRAY_VEC(args3);
  wasm_val_vec_t no_result = WASM_EMPTY_VEC, one_result = WASM_ARRAY_VEC(result);
  wasm_val_vec_t* args = nargs == 0 ? &none : nargs == 1 ? &one : &three;
  const int has_result = wasm_func_result_arity(f) == 1;
  wasm_trap_t* trap = wasm_func_call(f, args, has_result ? &one_result : &no_result);
  if (trap != NULL) { // simdnet's exports never trap on any input; a trap means a broken engine or build
    wasm_message_t message;
    wasm_trap_message(trap, &message);
    fprintf(stderr, "%s trapped: %.*s\n", name, (int)message.size, message.data);
    wasm_byte_vec_delete(&message);
    wasm_trap_delete(trap);
    exit(1);
  }
  return has_result ? result[0].of.i32 : 0;
}

/** The module's memory; re-read its base after every call, since memory may grow. */
static byte_t* memory_base(void) {
  wasm_extern_t* e = find("memory");
  wasm_memory_t* m = e == NULL ? NULL : wasm_extern_as_memory(e);
  if (m == NULL) { fprintf(stderr, "missing export memory\n"); exit(1); }
  return wasm_memory_data(m);
}

/** Prints last_error (copied to a block from alloc) after a call returned `code`. */
static void print_error(const char* what, int32_t code) {
  int32_t msg = call("alloc", 1, 256, 0, 0);
  int32_t len = msg == 0 ? 0 : call("last_error", 1, msg, 0, 0);
  fprintf(stderr, "%s failed (%d): %.*s\n", what, code, len < 0 ? 0 : (int)len, len > 0 ? (const char*)memory_base() + msg : "");
}

/** The whole file at `path` (malloc'd) and its size; NULL after printing why. */
static char* read_file(const char* path, size_t* size) {
  FILE* file = fopen(path, "rb");
  if (file == NULL) { perror(path); return NULL; }
  char* data = NULL;
  long n = fseek(file, 0, SEEK_END) == 0 ? ftell(file) : -1;
  if (n > 0 && fseek(file, 0, SEEK_SET) == 0 && (data = malloc((size_t)n)) != NULL && fread(data, 1, (size_t)n, file) != (size_t)n) {
    free(data);
    data = NULL;
  }
  fclose(file);
  if (data == NULL) fprintf(stderr, n == 0 ? "%s is empty\n" : "cannot read %s\n", path);
  *size = n > 0 ? (size_t)n : 0;
  return data;
}

/**
 * Runs m examples: copies x (m × n0 f32) to `in`, calls predict(in, m, out) and copies the m × ny outputs to y.
 * Returns predict's status (0, or a negative error code).
 */
static int32_t predict(int32_t in, int32_t out, const float* x, float* y, int32_t m, int32_t n0, int32_t ny) {
  memcpy(memory_base() + in, x, (size_t)m * (size_t)n0 * 4);
  int32_t status = call("predict", 3, in, m, out);
  if (status == 0) memcpy(y, memory_base() + out, (size_t)m * (size_t)ny * 4); // re-read the base: memory may have grown
  return status;
}

/** Wall-clock seconds (C11's timespec_get: no POSIX needed). */
static double seconds(void) {
  struct timespec t;
  timespec_get(&t, TIME_UTC);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/** Times `calls` predicts of m examples each (copy in, predict, copy out, as above) in 7 rounds after one of warm-up. */
static void time_predict(int32_t in, int32_t out, const float* x, float* y, int32_t m, int32_t n0, int32_t ny, long calls) {
  double round[7];
  for (int r = -1; r < 7; r++) {
    const double t0 = seconds();
    for (long c = 0; c < calls; c++) {
      const int32_t status = predict(in, out, x, y, m, n0, ny);
      if (status != 0) { print_error("predict", status); exit(1); }
    }
    if (r >= 0) round[r] = (seconds() - t0) / (double)calls / (double)m;
  }
  for (int a = 1; a < 7; a++) for (int b = a; b > 0 && round[b] < round[b - 1]; b--) { double t = round[b]; round[b] = round[b - 1]; round[b - 1] = t; }
  fprintf(stderr, "time m=%d: %.2f us per example (median of 7 rounds of %ld calls), fastest %.2f us\n", (int)m, 1e6 * round[3], calls, 1e6 * round[0]);
}

static int usage(const char* self) {
  fprintf(stderr, "usage: %s model.wasm x1 x2 ...   or   %s model.wasm -f inputs.f32 [-t calls]\n", self, self);
  return 2;
}

int main(int argc, char** argv) {
  if (argc < 2) return usage(argv[0]);
  const int from_file = argc >= 4 && strcmp(argv[2], "-f") == 0;
  const long calls = from_file && argc == 6 && strcmp(argv[4], "-t") == 0 ? strtol(argv[5], NULL, 10) : 0;
  if (from_file && argc != 4 && calls <= 0) return usage(argv[0]);
  // The engine first: WAMR initialises its allocator here, and wasm_byte_vec_new_* below use it.
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = engine == NULL ? NULL : wasm_store_new(engine);
  if (store == NULL) { fprintf(stderr, "cannot create the engine\n"); return 1; }

  size_t size;
  char* bytes = read_file(argv[1], &size);
  if (bytes == NULL) return 1;
  wasm_byte_vec_t binary;
  wasm_byte_vec_new(&binary, size, bytes);
  free(bytes);
  if (binary.data == NULL) { fprintf(stderr, "the engine cannot allocate %zu bytes\n", size); return 1; }

  // A SIMD build on an engine without SIMD (wasm3, WAMR's classic interpreter and fast-jit) fails here, at
  // load, before anything runs: use the scalar build (exportEdgeWasm's default) on such engines.
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  if (module == NULL) {
    fprintf(stderr, "the engine rejected %s (not a module, or a SIMD build on an engine without SIMD: use the scalar build)\n", argv[1]);
    return 1;
  }
  wasm_extern_vec_t imports = WASM_EMPTY_VEC; // the edge module imports nothing
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, &trap);
  if (instance == NULL) {
    wasm_message_t message = WASM_EMPTY_VEC;
    if (trap != NULL) wasm_trap_message(trap, &message);
    fprintf(stderr, "instantiation failed: %.*s\n", (int)message.size, message.data == NULL ? "" : message.data);
    return 1;
  }
  wasm_instance_exports(instance, &exports);
  wasm_module_exports(module, &export_types);

  const int32_t n0 = call("input_size", 0, 0, 0, 0);
  if (n0 < 0) { print_error("loading the baked model", n0); return 1; }
  const int32_t ny = call("output_size", 0, 0, 0, 0);
  if (find("model_info") != NULL) { // the model's description (labels, normaliser, dtype, ...) as UTF-8 JSON
    const int32_t len = call("model_info", 1, 0, 0, 0);
    const int32_t info = len > 0 ? call("alloc", 1, len, 0, 0) : 0;
    if (info != 0 && call("model_info", 1, info, 0, 0) == len) fprintf(stderr, "model: %.*s\n", (int)len, (const char*)memory_base() + info);
    if (info != 0) call("free", 1, info, 0, 0);
  }

  // The examples: n0 numbers from the command line, or m × n0 f32 from a file.
  int32_t m = 1;
  float* x;
  if (from_file) {
    x = (float*)(void*)read_file(argv[3], &size);
    if (x == NULL) return 1;
    if (size % (4 * (size_t)n0) != 0 || size / (4 * (size_t)n0) > INT32_MAX / 4 / (size_t)(n0 > ny ? n0 : ny)) {
      fprintf(stderr, "%s holds %zu bytes, not a whole number of examples of %d f32 features\n", argv[3], size, (int)n0);
      return 2;
    }
    m = (int32_t)(size / (4 * (size_t)n0));
  } else {
    if (argc - 2 != n0) { fprintf(stderr, "the model wants %d features, got %d\n", n0, argc - 2); return 2; }
    x = malloc(4 * (size_t)n0);
    if (x == NULL) { fprintf(stderr, "out of memory\n"); return 1; }
    for (int32_t f = 0; f < n0; f++) x[f] = strtof(argv[2 + f], NULL);
  }
  float* y = malloc(4 * (size_t)m * (size_t)ny);
  int32_t in = call("alloc", 1, m * n0 * 4, 0, 0);
  int32_t out = call("alloc", 1, m * ny * 4, 0, 0);
  if (y == NULL || in == 0 || out == 0) { fprintf(stderr, "out of memory\n"); return 1; }
  int32_t status = predict(in, out, x, y, m, n0, ny);
  if (status != 0) { print_error("predict", status); return 1; }
  for (int32_t e = 0; e < m; e++) {
    for (int32_t r = 0; r < ny; r++) printf("%s%.9g", r ? " " : "", y[(size_t)e * (size_t)ny + (size_t)r]); // %.9g: every f32 exactly
    printf("\n");
  }
  if (calls > 0) {
    time_predict(in, out, x, y, 1, n0, ny, calls);
    if (m > 1) time_predict(in, out, x, y, m, n0, ny, calls / m > 0 ? calls / m : 1);
  }
  call("free", 1, in, 0, 0);
  call("free", 1, out, 0, 0);
  free(x);
  free(y);

  wasm_exporttype_vec_delete(&export_types);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
