export function databaseFile(url: string): string;
export function ownerOnly(target: string): void;
export function tightenDataFiles(file: string, dataDir: string): void;
export function createDataFiles(file: string, dataDir: string): void;
