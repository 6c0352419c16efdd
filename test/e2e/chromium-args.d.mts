export declare const PLAYWRIGHT_DISABLED_FEATURES: ReadonlyArray<string>;
export declare const OMNIBOX_FEATURES: ReadonlyArray<string>;
export declare const CHROMIUM_ARGS: ReadonlyArray<string>;
