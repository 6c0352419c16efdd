// Loaded with `node --import <this file> ...`: appends every module the process loads, as a URL or
// a package name, one per line, to the file named by CURVEKEEP_TRACE_LOADS. ES modules are seen
// by a resolve hook (in the loader thread); CommonJS `require`s (zeromq and keytar are required
// on first use) by a wrapper around Module._load in the main thread.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const out = process.env.CURVEKEEP_TRACE_LOADS;
if (out) {
  register('./trace-loads-hooks.mjs', import.meta.url, { data: { out } });
  const load = Module._load;
  Module._load = function tracedLoad(request, parent, isMain) {
    const loaded = load.call(this, request, parent, isMain);
    appendFileSync(out, `require ${request}\n`);
    return loaded;
  };
}
