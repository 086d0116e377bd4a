import { Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useRef, useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { FormProblem } from '@/components/ui/form-problem';
import { EMAIL_MAX, emailProblem, PASSWORD_MAX } from '@/lib/account-rules';
import { isApiError } from '@/lib/api-client';

import { useSignIn } from '../api/sign-in';

/** Minutes to say for a wait of this many seconds (at least one). */
function minutes(seconds: number | null): number {
  return Math.max(1, Math.ceil((seconds ?? 60) / 60));
}

/** Email and password; a wrong pair says so plainly, without telling which of the two was wrong. */
export function SignInForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});
  const emailInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const signIn = useSignIn({ onSuccess: onDone });

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const emailKey = emailProblem(email);
    const found = {
      email: emailKey ? t(`auth.errors.${emailKey}`, { max: EMAIL_MAX }) : undefined,
      password: password === '' ? t('auth.errors.passwordRequired') : undefined,
    };
    setErrors(found);
    if (found.email) emailInput.current?.focus();
    else if (found.password) passwordInput.current?.focus();
    else
      signIn.mutate(
        { email: email.trim(), password },
        {
          onError: () => {
            setPassword('');
            passwordInput.current?.focus();
          },
        },
      );
  }

  let problem: string | undefined;
  const error = signIn.error;
  if (isApiError(error) && error.code === 'invalid_credentials') problem = t('auth.signIn.wrong');
  else if (isApiError(error) && error.status === 429) problem = t('auth.signIn.throttled', { count: minutes(error.retryAfter) });

  return (
    <form onSubmit={submit} noValidate aria-label={t('auth.signIn.formLabel')}>
      <Stack gap="md">
        <TextInput
          ref={emailInput}
          label={t('auth.email')}
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => {
            setEmail(event.currentTarget.value);
            setErrors((current) => ({ ...current, email: undefined }));
          }}
          error={errors.email}
          maxLength={EMAIL_MAX}
          autoFocus
        />
        <PasswordInput
          ref={passwordInput}
          label={t('auth.password')}
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => {
            setPassword(event.currentTarget.value);
            setErrors((current) => ({ ...current, password: undefined }));
          }}
          error={errors.password}
          maxLength={PASSWORD_MAX}
          visibilityToggleButtonProps={{ 'aria-label': t('auth.showPassword') }}
        />
        {problem ? <FormProblem message={problem} /> : <FormProblem error={error} />}
        <Button type="submit" loading={signIn.isPending} fullWidth>
          {t('auth.signIn.submit')}
        </Button>
      </Stack>
    </form>
  );
}
