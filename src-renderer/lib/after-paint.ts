// Resolves once the browser has painted the next frame: after that frame's requestAnimationFrame
// callbacks, a task runs only once the frame is out. A list view asks for the rest of its rows
// after its first rows are on screen, so that reading thousands of rows never delays that frame.
// A hidden page paints no frames (no requestAnimationFrame callback runs): there it resolves
// after FALLBACK_MS instead, so that nothing waits for the window to be shown.

const FALLBACK_MS = 200;

// The page's own function, declared here so that this module also type-checks without the DOM
// library (its unit test runs in Node).
declare const requestAnimationFrame: (callback: () => void) => number;

export function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, FALLBACK_MS);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(fallback);
        resolve();
      }, 0),
    );
  });
}
