// require('simdnet') on Node ≥ 20.19: require(esm) of the package's Node entry.
const simdnet = require('simdnet');

import('./train.js').then(({ trainBoth }) => trainBoth(simdnet)).then((r) => console.log(JSON.stringify(r)));
