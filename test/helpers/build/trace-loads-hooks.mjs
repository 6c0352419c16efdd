// The resolve hook of trace-loads.mjs: records each ES module as it is resolved.
import { appendFileSync } from 'node:fs';

let out;
export function initialize(data) {
  out = data.out;
}

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(out, `import ${result.url}\n`);
  return result;
}
