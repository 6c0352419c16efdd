// Loaded with `node --import <this file> ...`: appends every module the process loads, one per
// line, to the file named by CURVEKEEP_TRACE_LOADS. ES modules are seen by a resolve hook (in the
// loader thread) as `import URL`; CommonJS `require`s by a wrapper around Module._load in the main
// thread, as `require PACKAGE` for a package or built-in and `require-file PATH` for a file.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const out = process.env.CURVEKEEP_TRACE_LOADS;
if (out) {
  register('./trace-loads-hooks.mjs', import.meta.url, { data: { out } });
  const load = Module._load;
  Module._load = function tracedLoad(request, parent, isMain) {
    const loaded = load.call(this, request, parent, isMain);
    const isFile = request.startsWith('.') || request.startsWith('/');
    appendFileSync(out, isFile ? `require-file ${Module._resolveFilename(request, parent, isMain)}\n` : `require ${request}\n`);
    return loaded;
  };
}
