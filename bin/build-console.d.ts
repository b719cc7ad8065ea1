/** Where the console's source lives (console/). */
export declare const CONSOLE_SOURCE: string;
/** Where its build goes (dist/console). */
export declare const CONSOLE_OUT: string;
/** A hash of every file the console's bundle is made of. */
export declare function consoleSourceHash(): string;
/** Builds the console unless its last build came from the same sources; answers whether it built. */
export declare function buildConsole(options?: { force?: boolean }): Promise<boolean>;
