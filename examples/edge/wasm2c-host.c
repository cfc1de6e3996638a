// The smallest native host: a baked edge module translated to C by wasm2c, linked into a plain C program.
// No JavaScript and no WebAssembly engine. Use the scalar build (exportEdgeWasm's default): wasm2c 1.0.32
// (Debian's `wabt` package) does not translate SIMD.
//
//   wasm2c model.wasm -n edge -o model.c        (writes model.c and model.h; -n fixes the Z_edge* names)
//   cc -O2 -o predict wasm2c-host.c model.c /usr/share/wabt/wasm2c/wasm-rt-impl.c -lm   (wasm-rt.h is in /usr/include)
//   ./predict 0.5 1.25 -3 7                      (one example: n0 feature values; prints n_y outputs)
//
// The names follow wabt 1.0.32 (Z_<module>Z_<export>, instance struct passed first); newer wabt releases
// mangle differently, see the generated model.h. test/edge/native.test.ts builds and runs this file.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"

int main(int argc, char** argv) {
  wasm_rt_init();
  Z_edge_init_module();
  Z_edge_instance_t edge;
  Z_edge_instantiate(&edge);
  int code = 1;
  const int n0 = (int)Z_edgeZ_input_size(&edge);
  const int ny = (int)Z_edgeZ_output_size(&edge);
  if (n0 <= 0 || ny <= 0) {
    fprintf(stderr, "the baked model does not load (%d)\n", n0);
  } else if (argc - 1 != n0) {
    fprintf(stderr, "the model wants %d features, got %d\n", n0, argc - 1);
    code = 2;
  } else {
    const u32 in = Z_edgeZ_alloc(&edge, (u32)(n0 * 4));
    const u32 out = Z_edgeZ_alloc(&edge, (u32)(ny * 4));
    if (in == 0 || out == 0) {
      fprintf(stderr, "out of memory\n");
    } else {
      for (int f = 0; f < n0; f++) {
        const float x = strtof(argv[1 + f], NULL);
        memcpy(Z_edgeZ_memory(&edge)->data + in + 4 * f, &x, 4); // row-major f32, little-endian
      }
      const int status = (int)Z_edgeZ_predict(&edge, in, 1, out);
      if (status != 0) {
        const u32 msg = Z_edgeZ_alloc(&edge, 256);
        const int len = msg == 0 ? 0 : (int)Z_edgeZ_last_error(&edge, msg);
        fprintf(stderr, "predict failed (%d): %.*s\n", status, len, (const char*)Z_edgeZ_memory(&edge)->data + msg);
      } else {
        for (int r = 0; r < ny; r++) {
          float y;
          memcpy(&y, Z_edgeZ_memory(&edge)->data + out + 4 * r, 4); // re-read the base: memory may have grown
          printf("%s%.9g", r ? " " : "", y);
        }
        printf("\n");
        code = 0;
      }
    }
  }
  Z_edge_free(&edge);
  wasm_rt_free();
  return code;
}
