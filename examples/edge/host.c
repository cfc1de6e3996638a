// A minimal C host for a simdnet edge module (model.wasm from exportEdgeWasm), written against the standard
// WebAssembly C API (wasm.h), which wasmtime, wasmer and WAMR all implement. No imports, no WASI.
//
//   build (wasmtime):  cc host.c -I$WASMTIME/include -L$WASMTIME/lib -lwasmtime -o host
//   build (wasmer):    cc host.c $(wasmer config --cflags) $(wasmer config --libs) -o host
//   build (WAMR):      cc host.c -I$WAMR/core/iwasm/include -L$WAMR/build -liwasm -lm -lpthread -o host
//   run:               ./host model.wasm 0.5 1.25 -3 7      (one example: n0 feature values)
//
// The module's exports: predict(in_ptr, m, out_ptr) -> status, input_size(), output_size(), alloc(bytes),
// free(ptr), last_error(ptr_out) -> len, memory. Pointers are byte offsets into `memory`; inputs and outputs
// are row-major f32 (little-endian, as WebAssembly memory always is). See docs/edge.md.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasm.h>

static wasm_extern_vec_t exports;
static wasm_exporttype_vec_t export_types;

/** The export called `name`, or NULL. */
static wasm_extern_t* find(const char* name) {
  for (size_t i = 0; i < export_types.size; i++) {
    const wasm_name_t* n = wasm_exporttype_name(export_types.data[i]);
    if (n->size == strlen(name) && memcmp(n->data, name, n->size) == 0) return exports.data[i];
  }
  return NULL;
}

/** Calls an exported function with up to three i32 arguments; returns its i32 result (0 for none). */
static int32_t call(const char* name, int nargs, int32_t a, int32_t b, int32_t c) {
  wasm_func_t* f = wasm_extern_as_func(find(name));
  if (f == NULL) { fprintf(stderr, "missing export %s\n", name); exit(1); }
  wasm_val_t args[3] = { WASM_I32_VAL(a), WASM_I32_VAL(b), WASM_I32_VAL(c) };
  wasm_val_t results[1] = { WASM_INIT_VAL };
  wasm_val_vec_t av = { (size_t)nargs, args };
  wasm_val_vec_t rv = { wasm_func_result_arity(f), results };
  wasm_trap_t* trap = wasm_func_call(f, &av, &rv);
  if (trap != NULL) { fprintf(stderr, "%s trapped\n", name); exit(1); } // simdnet's exports never trap
  return rv.size == 1 ? results[0].of.i32 : 0;
}

/** The module's memory; re-read its base after every call, since memory may grow. */
static byte_t* memory_base(void) { return wasm_memory_data(wasm_extern_as_memory(find("memory"))); }

int main(int argc, char** argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s model.wasm x1 x2 ...\n", argv[0]); return 2; }
  FILE* file = fopen(argv[1], "rb");
  if (file == NULL) { perror(argv[1]); return 1; }
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  wasm_byte_vec_t binary;
  wasm_byte_vec_new_uninitialized(&binary, (size_t)size);
  if (fread(binary.data, 1, (size_t)size, file) != (size_t)size) { fprintf(stderr, "short read\n"); return 1; }
  fclose(file);

  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  if (module == NULL) { fprintf(stderr, "not a valid module\n"); return 1; }
  wasm_extern_vec_t imports = WASM_EMPTY_VEC; // the edge module imports nothing
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, &trap);
  if (instance == NULL) { fprintf(stderr, "instantiation failed\n"); return 1; }
  wasm_instance_exports(instance, &exports);
  wasm_module_exports(module, &export_types);

  const int32_t n0 = call("input_size", 0, 0, 0, 0);
  const int32_t ny = call("output_size", 0, 0, 0, 0);
  if (n0 < 0) { // the baked model failed validation: print last_error
    int32_t msg = call("alloc", 1, 256, 0, 0);
    int32_t len = call("last_error", 1, msg, 0, 0);
    fprintf(stderr, "error %d: %.*s\n", n0, (int)len, (const char*)memory_base() + msg);
    return 1;
  }
  if (argc - 2 != n0) { fprintf(stderr, "the model wants %d features, got %d\n", n0, argc - 2); return 2; }

  const int32_t m = 1;
  int32_t in = call("alloc", 1, m * n0 * 4, 0, 0);
  int32_t out = call("alloc", 1, m * ny * 4, 0, 0);
  if (in == 0 || out == 0) { fprintf(stderr, "out of memory\n"); return 1; }
  for (int32_t f = 0; f < n0; f++) {
    float x = strtof(argv[2 + f], NULL);
    memcpy(memory_base() + in + 4 * f, &x, 4);
  }
  int32_t status = call("predict", 3, in, m, out);
  if (status != 0) {
    int32_t msg = call("alloc", 1, 256, 0, 0);
    int32_t len = call("last_error", 1, msg, 0, 0);
    fprintf(stderr, "predict failed (%d): %.*s\n", status, (int)len, (const char*)memory_base() + msg);
    return 1;
  }
  for (int32_t r = 0; r < ny; r++) {
    float y;
    memcpy(&y, memory_base() + out + 4 * r, 4);
    printf("%s%.9g", r ? " " : "", y);
  }
  printf("\n");
  call("free", 1, in, 0, 0);
  call("free", 1, out, 0, 0);

  wasm_exporttype_vec_delete(&export_types);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
