import { createContext, useContext } from 'react';
import type { LiveConnection } from '../api/live-updates.js';
import type { TokenIdentity } from './role-discovery.js';

/** The signed-in token, who it is, what it may do and its subscription connection. */
export interface Session {
  token: string;
  identity: TokenIdentity;
  /** False for viewer tokens, and for any token once the API refused it an operation. */
  mayOperate: boolean;
  live: LiveConnection;
  noteOperationForbidden(): void;
  signOut: (reason?: string) => void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession is used outside the signed-in part of the dashboard');
  return session;
}
