// Resolves once the browser has painted the next frame: after that frame's requestAnimationFrame
// callbacks, a task runs only once the frame is out. A list view asks for the rest of its rows
// after its first rows are on screen, so that reading thousands of rows never delays that frame.
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}
