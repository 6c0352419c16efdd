// The views of the app, in navigation order: one line each (id for the URL hash, the label the
// sidebar shows, and a loader so that each view's code loads when it is first opened).
import type { Component } from 'svelte';
import { LoadOnce } from '../lib/load-once.js';
import type { ViewProps } from './view-props.js';

export interface ViewModule {
  readonly default: Component<ViewProps>;
}

export interface ViewEntry {
  readonly id: string;
  readonly label: string;
  readonly load: () => Promise<ViewModule>;
}

export const VIEWS: ReadonlyArray<ViewEntry> = Object.freeze([
  { id: 'overview', label: 'Overview', load: () => import('./overview/OverviewView.svelte') },
  { id: 'keys', label: 'Keys', load: () => import('./keys/KeysView.svelte') },
  { id: 'peers', label: 'Peers', load: () => import('./peers/PeersView.svelte') },
  { id: 'devices', label: 'Devices', load: () => import('./devices/DevicesView.svelte') },
  { id: 'pins', label: 'Pins', load: () => import('./pins/PinsView.svelte') },
  { id: 'links', label: 'Link tests', load: () => import('./links/LinksView.svelte') },
  { id: 'rotation', label: 'Rotation', load: () => import('./rotation/RotationView.svelte') },
  { id: 'timeline', label: 'Timeline', load: () => import('./timeline/TimelineView.svelte') },
  { id: 'provisioning', label: 'Provisioning', load: () => import('./provisioning/ProvisioningView.svelte') },
  { id: 'audit', label: 'Audit', load: () => import('./audit/AuditView.svelte') },
  { id: 'settings', label: 'Settings', load: () => import('./settings/SettingsView.svelte') },
]);

export const DEFAULT_VIEW: ViewEntry = VIEWS[0]!;

const viewModules = new LoadOnce<ViewModule>();

/**
 * A view's module: the module itself once it has loaded (so that the frame's `{#await}` shows the
 * view in the same render as the frame, with no "Loading…" frame painted first), else the promise.
 */
export function viewModule(view: ViewEntry): ViewModule | Promise<ViewModule> {
  return viewModules.get(view.id, view.load);
}

/** The view a location hash (`#/peers`, `#/peers/ID`) names, or the first view. */
export function viewForHash(hash: string, views: ReadonlyArray<ViewEntry> = VIEWS): ViewEntry {
  const id = hash.replace(/^#\/?/, '').split('/')[0] ?? '';
  return views.find((v) => v.id === id) ?? views[0] ?? DEFAULT_VIEW;
}

/** The segments after the view's id in a location hash, decoded (`#/peers/a%2Fb` gives `['a/b']`). */
export function pathForHash(hash: string): string[] {
  const segments = hash.replace(/^#\/?/, '').split('/').slice(1).filter((s) => s.length > 0);
  return segments.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
}

export function hashForView(view: Pick<ViewEntry, 'id'>, path: ReadonlyArray<string> = []): string {
  return `#/${[view.id, ...path.map((s) => encodeURIComponent(s))].join('/')}`;
}
