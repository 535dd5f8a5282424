export const DEFAULT_DATABASE_URL: string;
export function migrate(url?: string, options?: { log?: (message: string) => void }): string[];
