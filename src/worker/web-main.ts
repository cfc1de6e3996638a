// The Web Worker script of fitInWorker (the browser entry of simdnet/worker starts it as a module worker).
import { serve } from './serve.js';

const scope = globalThis as unknown as { postMessage(m: unknown, t?: Transferable[]): void; addEventListener(t: 'message', f: (e: MessageEvent) => void): void };
serve({
  post: (message, transfer) => scope.postMessage(message, transfer ?? []),
  listen: (handler) => scope.addEventListener('message', (e) => handler(e.data)),
});
