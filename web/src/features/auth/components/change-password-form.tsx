import { Button, Group, PasswordInput, Stack } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { FormProblem } from '@/components/ui/form-problem';
import { PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from '@/lib/account-rules';
import { ME_QUERY_KEY } from '@/lib/auth';
import { notifySuccess } from '@/lib/notify';
import { fieldErrors } from '@/lib/server-messages';

import { useChangePassword } from '../api/change-password';

type Field = 'current' | 'password' | 'confirm';

/** The current password, then the new one twice; other browsers signed in with it are signed out. */
export function ChangePasswordForm() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Record<Field, string>>({ current: '', password: '', confirm: '' });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const currentInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const confirmInput = useRef<HTMLInputElement>(null);
  const change = useChangePassword({
    onSuccess: () => {
      setValues({ current: '', password: '', confirm: '' });
      notifySuccess(t('account.password.changed'));
      // The session may have a new CSRF token now.
      void queryClient.invalidateQueries({ queryKey: ME_QUERY_KEY });
    },
  });

  function edit(field: Field, value: string) {
    setValues((current) => ({ ...current, [field]: value }));
    setErrors((current) => ({ ...current, [field]: undefined }));
    if (change.error) change.reset();
  }

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const found: Partial<Record<Field, string>> = {};
    if (values.current === '') found.current = t('auth.errors.passwordRequired');
    const key = passwordProblem(values.password);
    if (key) found.password = t(`auth.errors.${key}`, { min: PASSWORD_MIN, max: PASSWORD_MAX });
    else if (values.confirm !== values.password) {
      found.confirm = values.confirm === '' ? t('auth.errors.confirmRequired') : t('auth.errors.confirmMismatch');
    }
    setErrors(found);
    const first = found.current ? currentInput : found.password ? passwordInput : found.confirm ? confirmInput : null;
    if (first) {
      first.current?.focus();
      return;
    }
    change.mutate({ current_password: values.current, new_password: values.password });
  }

  const server = change.error ? fieldErrors(t, change.error) : {};
  const general = change.error && Object.keys(server).length === 0 ? change.error : undefined;
  const toggle = { 'aria-label': t('auth.showPassword') };

  return (
    <form onSubmit={submit} noValidate aria-label={t('account.password.title')}>
      <Stack gap="md" maw={420}>
        <PasswordInput
          ref={currentInput}
          label={t('account.password.current')}
          autoComplete="current-password"
          required
          value={values.current}
          onChange={(event) => edit('current', event.currentTarget.value)}
          error={errors.current ?? (server.current_password ? t('account.password.wrongCurrent') : undefined)}
          visibilityToggleButtonProps={toggle}
        />
        <PasswordInput
          ref={passwordInput}
          label={t('auth.newPassword')}
          description={t('auth.passwordHint', { min: PASSWORD_MIN, max: PASSWORD_MAX })}
          autoComplete="new-password"
          required
          value={values.password}
          onChange={(event) => edit('password', event.currentTarget.value)}
          error={errors.password ?? server.new_password}
          visibilityToggleButtonProps={toggle}
        />
        <PasswordInput
          ref={confirmInput}
          label={t('auth.confirmPassword')}
          autoComplete="new-password"
          required
          value={values.confirm}
          onChange={(event) => edit('confirm', event.currentTarget.value)}
          error={errors.confirm}
          visibilityToggleButtonProps={toggle}
        />
        <FormProblem error={general} />
        <Group>
          <Button type="submit" loading={change.isPending}>
            {t('account.password.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
