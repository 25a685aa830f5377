const TOKEN_KEY = 'flotilla.token';

/** The API token of this browser, kept in localStorage so a reload stays signed in. */
export const tokenStorage = {
  read(): string | undefined {
    return window.localStorage.getItem(TOKEN_KEY) ?? undefined;
  },
  write(token: string): void {
    window.localStorage.setItem(TOKEN_KEY, token);
  },
  clear(): void {
    window.localStorage.removeItem(TOKEN_KEY);
  },
};
