// Types of dev-vars.mjs (plain JavaScript so that `npm start` runs it as the first command).
export declare function parseDevVars(text: string): Record<string, string>;
export declare function localRunVars(root: string): { vars: Record<string, string>; notes: string[] };
