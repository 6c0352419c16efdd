// The least a page does to show the first rows of a long list: one HTML file whose module script
// fetches a page of rows as JSON (the same 100 rows, the same size as the app's first page) from
// a Node HTTP server on 127.0.0.1 and puts them into a listbox, marking the frame after. No
// framework, no app code: the floor that the UI bench's first-rows figures are measured against,
// in the same browser, the same way (bench/ui.bench.mjs opens it as it opens a view: a new browser
// context per run, navigation start to the first row visible and to the frame after the rows).
import { createServer } from 'node:http';

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>floor</title>
<script type="module" src="./floor.js"></script></head>
<body><div role="listbox" aria-label="Rows"></div></body></html>`;

const SCRIPT = `const list = document.querySelector('[role="listbox"]');
const response = await fetch('/rows', { method: 'POST', body: '{}' });
const { rows } = await response.json();
const fragment = document.createDocumentFragment();
for (const row of rows) {
  const item = document.createElement('div');
  item.setAttribute('role', 'option');
  item.textContent = Object.values(row).join(' ');
  fragment.append(item);
}
list.append(fragment);
requestAnimationFrame(() => setTimeout(() => performance.mark('curvekeep:floor-rows-painted'), 0));
`;

/**
 * Starts the floor's server with `rows` (the JSON the page fetches) and `headers` on every answer
 * (the bench passes the app's own security headers, so that the floor is served as the app is:
 * a page under Cross-Origin-Opener-Policy gets a browsing context, and a process, of its own);
 * resolves to its URL and a stop function.
 */
export function startFloorServer(rows, headers = {}) {
  const body = JSON.stringify({ rows });
  const server = createServer((req, res) => {
    if (req.url === '/rows') {
      req.resume();
      req.on('end', () => res.writeHead(200, { ...headers, 'Content-Type': 'application/json' }).end(body));
    } else if (req.url === '/floor.js') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript; charset=utf-8' }).end(SCRIPT);
    } else {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/`, stop: () => new Promise((done) => server.close(done)) }));
  });
}
