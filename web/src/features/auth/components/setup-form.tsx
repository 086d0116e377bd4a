import { Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useRef, useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { FormProblem } from '@/components/ui/form-problem';
import { paths } from '@/config/paths';
import { EMAIL_MAX, emailProblem, PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from '@/lib/account-rules';
import { isApiError } from '@/lib/api-client';
import { fieldErrors } from '@/lib/server-messages';

import { useSetUp } from '../api/set-up';

type Field = 'email' | 'password' | 'confirm';
type Errors = Partial<Record<Field, string>>;

/** The first account (the adult, an admin): email and a password typed twice. */
export function SetupForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const emailInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const confirmInput = useRef<HTMLInputElement>(null);
  const setUp = useSetUp({ onSuccess: onDone });

  function check(): Errors {
    const found: Errors = {};
    const emailKey = emailProblem(email);
    if (emailKey) found.email = t(`auth.errors.${emailKey}`, { max: EMAIL_MAX });
    const passwordKey = passwordProblem(password);
    if (passwordKey) found.password = t(`auth.errors.${passwordKey}`, { min: PASSWORD_MIN, max: PASSWORD_MAX });
    if (!found.password && confirm !== password) {
      found.confirm = confirm === '' ? t('auth.errors.confirmRequired') : t('auth.errors.confirmMismatch');
    }
    return found;
  }

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const found = check();
    setErrors(found);
    const first = found.email ? emailInput : found.password ? passwordInput : found.confirm ? confirmInput : null;
    if (first) {
      first.current?.focus();
      return;
    }
    setUp.mutate({ email: email.trim(), password });
  }

  const server = setUp.error ? fieldErrors(t, setUp.error) : {};
  const done = isApiError(setUp.error) && setUp.error.code === 'setup_done';
  const general = setUp.error && !done && Object.keys(server).length === 0 ? setUp.error : undefined;

  function edit(field: Field, value: string, set: (value: string) => void) {
    set(value);
    setErrors((current) => ({ ...current, [field]: undefined }));
    if (setUp.error) setUp.reset();
  }

  return (
    <form onSubmit={submit} noValidate aria-label={t('auth.setup.formLabel')}>
      <Stack gap="md">
        <TextInput
          ref={emailInput}
          label={t('auth.email')}
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => edit('email', event.currentTarget.value, setEmail)}
          error={errors.email ?? server.email}
          maxLength={EMAIL_MAX}
          autoFocus
        />
        <PasswordInput
          ref={passwordInput}
          label={t('auth.newPassword')}
          description={t('auth.passwordHint', { min: PASSWORD_MIN, max: PASSWORD_MAX })}
          autoComplete="new-password"
          required
          value={password}
          onChange={(event) => edit('password', event.currentTarget.value, setPassword)}
          error={errors.password ?? server.password}
          visibilityToggleButtonProps={{ 'aria-label': t('auth.showPassword') }}
        />
        <PasswordInput
          ref={confirmInput}
          label={t('auth.confirmPassword')}
          autoComplete="new-password"
          required
          value={confirm}
          onChange={(event) => edit('confirm', event.currentTarget.value, setConfirm)}
          error={errors.confirm}
          visibilityToggleButtonProps={{ 'aria-label': t('auth.showPassword') }}
        />
        {done && (
          <FormProblem
            message={
              <Text size="sm">
                {t('auth.setup.done')}{' '}
                <Anchor component={Link} to={paths.signIn.href()} size="sm">
                  {t('auth.signIn.submit')}
                </Anchor>
              </Text>
            }
          />
        )}
        <FormProblem error={general} />
        <Button type="submit" loading={setUp.isPending} fullWidth>
          {t('auth.setup.submit')}
        </Button>
      </Stack>
    </form>
  );
}
