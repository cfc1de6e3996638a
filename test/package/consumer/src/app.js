import * as simdnet from 'simdnet';
import { trainBoth } from './train.js';

trainBoth(simdnet).then((r) => { window.__result = r; }, (e) => { window.__result = { error: String(e?.message ?? e) }; });
