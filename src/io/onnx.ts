// ONNX interop over the .snet model record: snetToOnnx (export) and onnxToSnet (import). The facade
// (net.toOnnx, Network.fromOnnx) loads this module on demand, so neither it nor protobufjs is in the main bundle.
export { snetToOnnx, type OnnxExportOptions } from './onnx-export.js';
export { onnxToSnet } from './onnx-import.js';
