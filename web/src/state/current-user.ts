import type { User } from '../api/types';
import { useStore } from '../lib/store';
import { session } from './session';

/** The signed-in user (pages render only while signed in; null in the brief moment after sign-out). */
export function useCurrentUser(): User | null {
  return useStore(session, (s) => (s.status === 'signed-in' ? s.user : null));
}
