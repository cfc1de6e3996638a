import * as simdnet from 'simdnet';
import { trainBoth } from './train.js';

console.log(JSON.stringify(await trainBoth(simdnet)));
