// A native host for a baked edge module translated to C by wasm2c (wabt 1.0.32 naming): no JavaScript and
// no WebAssembly engine at all. Reads m×n0 f32 inputs from input.bin, writes m×n_y f32 to output.bin, and
// prints a rejected call's status and last_error. Used by test/edge/native.test.ts when wasm2c and gcc exist.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const int m = atoi(argv[1]);
  wasm_rt_init();
  Z_edge_init_module();
  Z_edge_instance_t inst;
  Z_edge_instantiate(&inst);
  const int n0 = (int)Z_edgeZ_input_size(&inst);
  const int ny = (int)Z_edgeZ_output_size(&inst);
  if (n0 <= 0 || ny <= 0) return 3;
  const u32 in = Z_edgeZ_alloc(&inst, (u32)(m * n0 * 4));
  const u32 out = Z_edgeZ_alloc(&inst, (u32)(m * ny * 4));
  if (in == 0 || out == 0) return 4;
  FILE* f = fopen("input.bin", "rb");
  if (!f || fread(Z_edgeZ_memory(&inst)->data + in, 4, (size_t)(m * n0), f) != (size_t)(m * n0)) return 5;
  fclose(f);
  const int status = (int)Z_edgeZ_predict(&inst, in, (u32)m, out);
  f = fopen("output.bin", "wb");
  fwrite(Z_edgeZ_memory(&inst)->data + out, 4, (size_t)(m * ny), f); // memory may have grown: re-read the base
  fclose(f);
  const int bad = (int)Z_edgeZ_predict(&inst, in, (u32)-1, out);
  const u32 msg = Z_edgeZ_alloc(&inst, 256);
  const int len = (int)Z_edgeZ_last_error(&inst, msg);
  printf("n0=%d ny=%d status=%d bad=%d error=%.*s\n", n0, ny, status, bad, len, (const char*)Z_edgeZ_memory(&inst)->data + msg);
  Z_edge_free(&inst);
  wasm_rt_free();
  return status == 0 ? 0 : 1;
}
