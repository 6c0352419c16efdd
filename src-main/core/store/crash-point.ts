// A fault-injection hook that only tests set: CURVEKEEP_TEST_CRASH_AT=<point> kills the process
// with SIGKILL at that point of a write, to prove the commit protocol. Points: `keychain:N` before
// the Nth keychain write (set or delete) of the process, `keychain-after:N` after it.
let keychainWrites = 0;

function kill(): void {
  process.kill(process.pid, 'SIGKILL');
}

export async function aroundKeychainWrite<T>(write: () => Promise<T>): Promise<T> {
  const at = process.env.CURVEKEEP_TEST_CRASH_AT;
  if (!at) return write();
  keychainWrites += 1;
  if (at === `keychain:${keychainWrites}`) kill();
  const result = await write();
  if (at === `keychain-after:${keychainWrites}`) kill();
  return result;
}
