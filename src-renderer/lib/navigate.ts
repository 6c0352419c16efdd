// Opens a view at a place: `navigate('rotation', identityId)` sets `#/rotation/ID`; the app frame
// loads the view and passes the rest of the hash to it as `path` (views/view-props.ts).
import { hashForView } from '../views/registry.js';

export function navigate(view: string, ...path: ReadonlyArray<string>): void {
  window.location.hash = hashForView({ id: view }, path);
}
