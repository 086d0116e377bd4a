import { Checkbox, NumberInput, PasswordInput, Text } from '@mantine/core';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { FormDialog } from '@/components/ui/form-dialog';
import { FormProblem } from '@/components/ui/form-problem';
import { PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from '@/lib/account-rules';
import { formatNumber } from '@/lib/format';
import { notifySuccess } from '@/lib/notify';
import { fieldErrors } from '@/lib/server-messages';

import { useUpdateUser } from '../api/update-user';
import type { User } from '../api/types';

type DialogProps = { user: User; opened: boolean; onClose: () => void };

/** A new password for someone who forgot theirs; they are signed out everywhere. */
export function ResetPasswordDialog({ user, opened, onClose }: DialogProps) {
  const { t } = useTranslation();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const update = useUpdateUser({
    silent: true,
    onSuccess: () => {
      notifySuccess(t('users.reset.done', { email: user.email }));
      setPassword('');
      onClose();
    },
  });

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const key = passwordProblem(password);
    if (key) {
      setError(t(`auth.errors.${key}`, { min: PASSWORD_MIN, max: PASSWORD_MAX }));
      return;
    }
    update.mutate({ id: user.id, password });
  }

  const server = update.error ? fieldErrors(t, update.error) : {};
  return (
    <FormDialog
      opened={opened}
      title={t('users.reset.title', { email: user.email })}
      submitLabel={t('users.reset.submit')}
      pending={update.isPending}
      onSubmit={submit}
      onClose={onClose}
    >
      <Text size="sm">{t('users.reset.body')}</Text>
      <PasswordInput
        label={t('auth.newPassword')}
        description={t('auth.passwordHint', { min: PASSWORD_MIN, max: PASSWORD_MAX })}
        autoComplete="new-password"
        required
        value={password}
        onChange={(event) => {
          setPassword(event.currentTarget.value);
          setError(undefined);
        }}
        error={error ?? server.password}
        visibilityToggleButtonProps={{ 'aria-label': t('auth.showPassword') }}
        data-autofocus
      />
      <FormProblem error={update.error && !server.password ? update.error : undefined} />
    </FormDialog>
  );
}

export const QUOTA_MAX = 1_000_000_000;

/** The daily token quota: a number, or no limit. */
export function QuotaDialog({ user, opened, onClose }: DialogProps) {
  const { t, i18n } = useTranslation();
  const [unlimited, setUnlimited] = useState(user.daily_token_quota === null);
  const [value, setValue] = useState<number | string>(user.daily_token_quota ?? 50_000);
  const [error, setError] = useState<string>();
  const update = useUpdateUser({
    silent: true,
    onSuccess: (saved) => {
      notifySuccess(t('users.quota.done', { email: saved.email }));
      onClose();
    },
  });

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (unlimited) {
      update.mutate({ id: user.id, daily_token_quota: null });
      return;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > QUOTA_MAX) {
      setError(t('users.quota.invalid', { max: formatNumber(QUOTA_MAX, i18n.resolvedLanguage ?? 'en') }));
      return;
    }
    update.mutate({ id: user.id, daily_token_quota: value });
  }

  const server = update.error ? fieldErrors(t, update.error) : {};
  return (
    <FormDialog
      opened={opened}
      title={t('users.quota.title', { email: user.email })}
      submitLabel={t('users.quota.submit')}
      pending={update.isPending}
      onSubmit={submit}
      onClose={onClose}
    >
      <Text size="sm">{t('users.quota.body')}</Text>
      <Checkbox
        label={t('users.quota.unlimited')}
        checked={unlimited}
        onChange={(event) => {
          setUnlimited(event.currentTarget.checked);
          setError(undefined);
        }}
      />
      <NumberInput
        label={t('users.quota.label')}
        description={t('users.quota.usedToday', { used: formatNumber(user.used_today, i18n.resolvedLanguage ?? 'en') })}
        value={value}
        onChange={(next) => {
          setValue(next);
          setError(undefined);
        }}
        min={0}
        max={QUOTA_MAX}
        step={1000}
        allowDecimal={false}
        allowNegative={false}
        thousandSeparator=","
        disabled={unlimited}
        error={error ?? server.daily_token_quota}
        data-autofocus
      />
      <FormProblem error={update.error && !server.daily_token_quota ? update.error : undefined} />
    </FormDialog>
  );
}
