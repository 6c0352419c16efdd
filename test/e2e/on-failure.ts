// A failed end-to-end test prints what the page and the bridge showed at that moment (see
// describeLiveApps in harness.ts), so that a failure seen only in CI can be understood from its log.
import { beforeEach } from 'vitest';
import { describeLiveApps } from './harness.js';

beforeEach(({ onTestFailed }) => {
  onTestFailed(async () => {
    const report = await describeLiveApps();
    if (report) console.error(`--- at the failure ---\n${report}`);
  });
});
