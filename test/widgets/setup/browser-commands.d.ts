// The commands registered in vitest.config.ts (implemented in ./commands.ts), as tests call them.
import 'vitest/browser';

declare module 'vitest/browser' {
  interface BrowserCommands {
    setOffline(offline: boolean): Promise<void>;
    failGraphql(status: number | null): Promise<void>;
    adminGraphql(query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: { message: string }[] }>;
  }
}
