import { signIn } from '../state/session';
import { AuthForm } from './AuthForm';

export function LoginPage({ reason }: { reason?: string }) {
  return (
    <AuthForm
      title="Sign in"
      intro="Your music, on every device."
      submitLabel="Sign in"
      notice={reason}
      onSubmit={signIn}
    />
  );
}
