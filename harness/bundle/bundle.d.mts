// Types for bundle.mjs (plain JavaScript so the launcher can run it before any TypeScript loader).
export declare const BUNDLE_ENTRIES: Record<'cli' | 'backend-main' | 'operator-main', string>;
export declare const BUNDLE_DIR_ENV: string;
export declare const NO_BUNDLE_ENV: string;
export declare const PROJECT_ROOT: string;
export declare function freshBundleDir(): string | undefined;
export declare function ensureBundleDir(onNote?: (message: string) => void, onProgress?: (message: string) => void): Promise<string | undefined>;
export declare const BUNDLE_CACHE_ENV: string;
