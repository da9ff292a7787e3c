import { createFirstAdmin } from '../state/session';
import { AuthForm } from './AuthForm';

/** First run: no user exists yet, so the first person here creates the admin account. */
export function SetupPage() {
  return (
    <AuthForm
      title="Welcome! Create your admin account"
      intro="This server has no users yet. The account you create now manages the library, users and devices."
      submitLabel="Create admin account"
      passwordHint="At least 8 characters."
      newPassword
      onSubmit={createFirstAdmin}
    />
  );
}
