// Which permission requests the page gets: the camera (video only, for QR scanning) from our own
// page's top frame, nothing else from anyone. Plain functions, so they are tested without Electron.
import { isAppUrl } from './origin.js';

export interface PermissionRequestFacts {
  readonly permission: string;
  readonly requestingUrl: string;
  readonly isMainFrame: boolean;
  /** For `media`: what is asked for; `audio` is the microphone. */
  readonly mediaTypes?: ReadonlyArray<string> | undefined;
}

export interface PermissionCheckFacts {
  readonly permission: string;
  readonly requestingOrigin: string;
  readonly isMainFrame: boolean;
  readonly requestingUrl?: string | undefined;
  readonly mediaType?: string | undefined;
}

export function allowPermissionRequest(facts: PermissionRequestFacts): boolean {
  const media = facts.mediaTypes ?? [];
  return (
    facts.permission === 'media' &&
    facts.isMainFrame &&
    isAppUrl(facts.requestingUrl) &&
    media.length > 0 &&
    media.every((type) => type === 'video')
  );
}

export function allowPermissionCheck(facts: PermissionCheckFacts): boolean {
  return (
    facts.permission === 'media' &&
    facts.mediaType === 'video' &&
    facts.isMainFrame &&
    isAppUrl(facts.requestingOrigin) &&
    (facts.requestingUrl === undefined || isAppUrl(facts.requestingUrl))
  );
}
