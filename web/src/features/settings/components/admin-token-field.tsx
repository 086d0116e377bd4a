import { Alert, Button, Group, PasswordInput, Stack, Text } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { notifySuccess } from '@/lib/notify';

import { getAdminToken, setAdminToken } from '../api/admin-token';

/** Asks for the admin token after the server refused a change without it (401). */
export function AdminTokenField({ onSaved }: { onSaved: () => void }) {
  const { t } = useTranslation();
  const [token, setToken] = useState(getAdminToken);
  const hadToken = getAdminToken() !== '';

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    setAdminToken(token.trim());
    notifySuccess(t('settings.token.kept'));
    onSaved();
  }

  return (
    <Alert color="yellow" icon={<IconLock aria-hidden />} title={t('settings.token.title')} role="region" aria-label={t('settings.token.title')}>
      <form onSubmit={submit} aria-label={t('settings.token.formLabel')}>
        <Stack gap="sm">
          <Text size="sm">{hadToken ? t('settings.token.wrong') : t('settings.token.body')}</Text>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <PasswordInput
              label={t('settings.token.label')}
              description={t('settings.token.hint')}
              value={token}
              onChange={(event) => setToken(event.currentTarget.value)}
              autoComplete="off"
              style={{ flex: '1 1 16rem' }}
              data-autofocus
            />
            <Button type="submit" disabled={!token.trim()}>
              {t('settings.token.use')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Alert>
  );
}
