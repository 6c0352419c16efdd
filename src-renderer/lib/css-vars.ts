// Sets CSS custom properties on an element through the CSSOM. The CSP (`style-src 'self'`)
// refuses style attributes parsed from markup, not this; components read the variables in their
// own stylesheet (e.g. `transform: translateY(var(--offset))`).
import type { Attachment } from 'svelte/attachments';

export function cssVars(vars: Readonly<Record<string, string>>): Attachment<HTMLElement> {
  return (element) => {
    for (const [name, value] of Object.entries(vars)) element.style.setProperty(name, value);
  };
}
