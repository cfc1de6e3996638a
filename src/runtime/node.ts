// The package's Node entry (package.json exports "node", for `import` and `require`): the public
// surface of index.ts with Node's host services installed first.
import './host-node.js';

export * from '../index.js';
