// The one value the main process hands the sandboxed preload, as a command-line switch of the
// renderer process (a sandboxed preload can read process.argv, not files).
// (Not named preload-*: scripts/build-main.mjs keeps every src-main/app/preload* file out of the ESM build.)
export const VERSION_SWITCH = '--curvekeep-version=';
