# workerd configuration: one worker (worker.js + the baked model.wasm) on 127.0.0.1:8080.
# Run: npx workerd serve config.capnp   (test/serving/workerd.test.ts overrides the port with --socket-addr)
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "predict", worker = .predictWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:8080", http = (), service = "predict") ],
);

const predictWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "model.wasm", wasm = embed "model.wasm"),
  ],
  compatibilityDate = "2025-01-01",
);
