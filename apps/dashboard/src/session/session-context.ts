import { createContext, useContext } from 'react';
import type { Role } from '../api/documents.js';
import type { LiveConnection } from '../api/live-updates.js';

/** The signed-in token, what it may do as far as known, and its subscription connection. */
export interface Session {
  token: string;
  role: Role | undefined;
  /** False for viewer tokens, and for any token once the API refused it an operation. */
  mayOperate: boolean;
  live: LiveConnection;
  noteOperationForbidden(): void;
  signOut(reason?: string): void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession is used outside the signed-in part of the dashboard');
  return session;
}
